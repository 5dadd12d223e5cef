/** The program's version: the one place it is defined (CLI, handshake and builds read it). */
export const VERSION = "0.1.0";

/** The wire protocol version spoken in the `hello` / `welcome` handshake. */
export const PROTOCOL_VERSION = 1;
