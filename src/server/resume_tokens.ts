/**
 * Which member registered with which resume token (its digest), both ways, so a cluster's nodes
 * can tell a client coming back through another node, and forget a member's token when it
 * leaves. Pure.
 */
import type { MemberId } from "../store/member_id.ts";

/** Resume-token digests and their members. */
export class ResumeTokens {
  readonly #members = new Map<string, MemberId>();
  readonly #tokens = new Map<MemberId, string>();

  /** How many members have a token here. */
  get size(): number {
    return this.#members.size;
  }

  /** The member that registered with `token`, if it is still here. */
  memberOf(token: string): MemberId | undefined {
    return this.#members.get(token);
  }

  /** `member` registered with `token` (a member has one token; a token, one member). */
  set(token: string, member: MemberId): void {
    this.forget(member);
    const before = this.#members.get(token);
    if (before !== undefined) this.#tokens.delete(before);
    this.#members.set(token, member);
    this.#tokens.set(member, token);
  }

  /** `member` left: its token no longer names anyone. */
  forget(member: MemberId): void {
    const token = this.#tokens.get(member);
    if (token === undefined) return;
    this.#tokens.delete(member);
    this.#members.delete(token);
  }
}
