/**
 * The ChatStream wire contract as types and constants, shared by the backend
 * and the web app. `../shared/protocol-contract.md` is the prose version;
 * `docs/protocol.md` documents it with examples.
 */
export * from './limits';
export * from './frames';
export * from './rest';
export * from './text';
export * from './auth';
