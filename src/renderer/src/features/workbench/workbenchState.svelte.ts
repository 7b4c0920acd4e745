/**
 * What the learner has typed into the workbench: the target, the route, and the message in the composer. One
 * object, so picking a template can fill in its target and the composer keeps its text between connections.
 */
import type { Route } from '../../../../shared/contract';
import type { SendFormat } from '../../../../shared/escapes';
import type { EnterBytes } from './composerBytes';

export class WorkbenchState {
  #host = $state('data.pr4e.org');
  #port = $state('80');
  #route = $state<Route>('lab');
  #text = $state('');
  #format = $state<SendFormat>('text');
  #enter = $state<EnterBytes>('crlf');
  #templateId = $state('');

  get host(): string {
    return this.#host;
  }
  set host(value: string) {
    this.#host = value;
  }

  /** As typed, so "0x50" reaches main and gets its plain-words refusal. */
  get port(): string {
    return this.#port;
  }
  set port(value: string) {
    this.#port = value;
  }

  get route(): Route {
    return this.#route;
  }
  set route(value: Route) {
    this.#route = value;
  }

  get text(): string {
    return this.#text;
  }
  set text(value: string) {
    this.#text = value;
  }

  get format(): SendFormat {
    return this.#format;
  }
  set format(value: SendFormat) {
    this.#format = value;
  }

  /** What a line break typed in the composer sends: CR LF (like telnet) or a bare LF. */
  get enter(): EnterBytes {
    return this.#enter;
  }
  set enter(value: EnterBytes) {
    this.#enter = value;
  }

  get templateId(): string {
    return this.#templateId;
  }
  set templateId(value: string) {
    this.#templateId = value;
  }
}
