/** A connection's state in the learner's words, for the workbench's connection list. Pure. */
import type { LabError } from '../../../../shared/errors';

export interface ConnectionFacts {
  state: 'resolving' | 'connecting' | 'open' | 'closed';
  localEnded: boolean;
  peerEnded: boolean;
  closedBy?: 'local' | 'peer' | 'error' | 'abort';
  error?: LabError;
}

export function connectionStateWords(view: ConnectionFacts): string {
  switch (view.state) {
    case 'resolving':
      return 'looking up the name…';
    case 'connecting':
      return 'connecting…';
    case 'open':
      if (view.localEnded && view.peerEnded) return 'both sides sent FIN; closing';
      if (view.localEnded) return 'half-closed: you sent FIN, still receiving';
      if (view.peerEnded) return 'the other side sent FIN (done sending)';
      return 'open';
    case 'closed':
      if (view.error) return `failed: ${view.error.code}`;
      // Both FINs: say whose came first, since the last one is only the answer to the first.
      switch (view.closedBy) {
        case 'peer':
          return view.localEnded ? 'closed: you sent FIN first, then the other side' : 'closed by the other side';
        case 'local':
          return view.peerEnded ? 'closed: the other side sent FIN first, then you' : 'closed by you';
        case 'abort':
          return 'aborted by you (RST)';
        case 'error':
          return 'closed by an error';
        default:
          return 'closed';
      }
  }
}

/** What the half-close / close / abort buttons may do now. */
export function connectionActions(view: ConnectionFacts | undefined): {
  canSend: boolean;
  canHalfClose: boolean;
  canClose: boolean;
} {
  if (!view) return { canSend: false, canHalfClose: false, canClose: false };
  const open = view.state === 'open';
  return {
    // After our FIN this side can send no more (main would refuse), though it still receives.
    canSend: open && !view.localEnded,
    canHalfClose: open && !view.localEnded,
    canClose: view.state !== 'closed',
  };
}
