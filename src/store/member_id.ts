/**
 * Who a member is inside the hub: a user, apart from the connection (session) that carries
 * them now. The server gives each registering session a new member id; a quiet resume hands the
 * same member to a new session, and accounts or another node can stand on it later. A number
 * (a counter here; a cluster would draw it from a shared counter). Pure (a type).
 */
export type MemberId = number;
