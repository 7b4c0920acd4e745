/** Every limit of the lab in one place; main enforces them, the renderer shows them. */
export const LIMITS = {
  /** Open TCP connections per session (window or browser tab). */
  maxOpenConnections: 64,
  /** Connections held by every session of the lab together (all the web host's tabs), finished ones included. */
  maxConnectionsInAll: 256,
  /** Web host: tabs served at once; one more is told so, and past twice as many the host stops taking them. */
  webHostMaxTabs: 8,
  /** Bytes in one `send`. */
  maxSendBytes: 1024 * 1024,
  /**
   * One message over the web host's WebSocket: the hard cap, past which the host closes the tab's link (1009). It
   * leaves room for the largest valid call (a 1 MiB send) several times over, so a send that is too large is
   * answered SEND_TOO_LARGE, as in the desktop app; the page's own client never sends a larger frame.
   */
  maxWebSocketMessageBytes: 8 * 1024 * 1024,
  /** Web host: calls from one tab running at once; more wait in order, and past them the tab is not read. */
  webHostMaxCallsRunning: 64,
  /** Web host: replies and events written to a tab but not yet taken by it, before its calls wait. */
  webHostMaxUnsentReplyBytes: 2 * 1024 * 1024,
  /** Bytes waiting to be sent on one connection while the peer is not reading; past it, a send is refused. */
  maxQueuedSendBytes: 4 * 1024 * 1024,
  /** After close() sends FIN, how long to wait for it to leave before letting the socket go. */
  closeGraceMs: 2_000,
  /** Default and largest connect timeout. */
  connectTimeoutMs: 10_000,
  maxConnectTimeoutMs: 120_000,
  /** Lab HTTP server: idle time before it answers 408 and closes. */
  labHttpIdleTimeoutMs: 30_000,
  /** Lab HTTP server: wait for a connection's first request line (telnet and nc send it only at Enter). */
  labHttpFirstLineTimeoutMs: 120_000,
  /** Lab HTTP server: a request head must be whole this long after the wait for it began (after the first line's wait, for a connection's first request); bytes do not extend it. */
  labHttpHeadTimeoutMs: 60_000,
  /** Lab HTTP server: when every place is taken, a client that has waited this long for its head makes room for a new one. */
  labHttpSlotGraceMs: 2_000,
  /** Lab TLS server: a TLS handshake must be done this long after the ClientHello's first byte. */
  labTlsHandshakeTimeoutMs: 30_000,
  /** Lab HTTP server: request head (request line + headers) size. */
  labHttpMaxHeaderBytes: 16 * 1024,
  /** Lab HTTP server: connections at once. */
  labHttpMaxConnections: 16,
  /**
   * Event delivery: one batch of events carries at most this many received bytes (sends carry none). One batch is
   * one WebSocket message or one Electron IPC message; IPC messages of 134 MB and more have crashed Electron
   * (electron/electron#18758), so this stays two orders of magnitude under.
   */
  maxBatchBytes: 1024 * 1024,
  /**
   * A plain TCP connection reads into a buffer of this size, so a fast stream arrives in reads of up to this many
   * bytes (Node's own reads stop at 64 KiB). Each read is still one event; a short one is copied out, so it does not
   * hold the whole buffer.
   */
  socketReadBytes: 256 * 1024,
  /** Event delivery: a batch that is not full goes out this long after its first event. */
  batchIntervalMs: 16,
  /** Flow control: pause reading sockets while this many bytes are delivered but not yet acknowledged. */
  unackedHighWaterBytes: 16 * 1024 * 1024,
  /** Flow control: resume once the unacknowledged bytes fall to this. */
  unackedLowWaterBytes: 12 * 1024 * 1024,
  /** Bytes the renderer keeps in memory per session; older bytes stay in the journal on disk. */
  rendererKeptBytes: 64 * 1024 * 1024,
  /** Rows (events) the byte log keeps per session; older rows are let go, a block at a time (they stay on disk). */
  rendererKeptRows: 1024 * 1024,
  /** While data streams the screen redraws at most this often; events are still handled batch by batch. */
  redrawIntervalMs: 100,
  /** Lab HTTP slow mode: the slowest and fastest trickle the learner may choose, and the largest write. */
  slowModeMinBytesPerSecond: 1,
  slowModeMaxBytesPerSecond: 100 * 1024 * 1024,
  slowModeMaxWriteSize: 64 * 1024,
  /** Session journal: bytes one session may keep on disk; past it, later data is counted, not saved. */
  journalMaxSessionBytes: 256 * 1024 * 1024,
  /** Session journals in all; past it, the oldest finished sessions are removed first. */
  journalMaxTotalBytes: 2 * 1024 * 1024 * 1024,
  /** The journal reaches the disk (fsync) at least this often while a session runs, and on close. */
  journalFlushIntervalMs: 1_000,
  /** Largest transcript file the lab opens (a .socketlab of a full 256 MiB session is about 350 MiB). */
  maxTranscriptFileBytes: 512 * 1024 * 1024,
  /** Host names (RFC 1123). */
  maxHostLength: 253,
  maxHostLabelLength: 63,
} as const;

export type Limits = typeof LIMITS;
