/**
 * What the learner has typed into the workbench: the target, the route, and the message in the composer. One
 * object, so picking a template can fill in its target and the composer keeps its text between connections.
 *
 * A template's target is derived, not copied: it comes from the template and the lab's list of servers (which
 * names the hosts the lab stands in for), as soon as both are known. Picking a template before the list has
 * arrived therefore never leaves a stale host behind; the box waits and fills in when the list comes.
 *
 * The TLS switch follows the port (on for 443, where HTTPS lives, off elsewhere) until the learner flips it
 * themselves; picking a template or a target hands it back to the port.
 */
import type { LabServerInfo, Route } from '../../../../shared/contract';
import type { SendFormat } from '../../../../shared/escapes';
import { bytesToHex } from '../../../../shared/hexdump';
import { bytesToComposerText, composerBytes, type EnterBytes } from './composerBytes';
import { TEMPLATES, templateTarget } from './templates';

export interface Target {
  host: string;
  port: string;
}

export class WorkbenchState {
  readonly #servers: () => readonly LabServerInfo[];
  #typedHost = $state('data.pr4e.org');
  #typedPort = $state('80');
  #route = $state<Route>('lab');
  #text = $state('');
  #format = $state<SendFormat>('text');
  #enter = $state<EnterBytes>('crlf');
  #templateId = $state('');
  /** The template whose target fills host and port, until the learner types a host or port of their own. */
  #targetTemplateId = $state<string | null>(null);
  #formatProblem = $state<string | null>(null);
  /** The learner's own setting of the TLS switch; null while it follows the port. */
  #tlsChosen = $state<boolean | null>(null);

  /** `servers` reads the lab's server list as it is now (empty until it has arrived). */
  constructor(servers: () => readonly LabServerInfo[] = () => []) {
    this.#servers = servers;
  }

  /** The followed template's host and port, once the server list names them; null while it has not arrived. */
  readonly #followed = $derived.by((): Target | null => {
    const template = TEMPLATES.find((entry) => entry.id === this.#targetTemplateId);
    return template ? templateTarget(template, this.#servers()) : null;
  });

  /** A template's target was asked for, but the lab has not said yet where that server is. */
  get waitingForTarget(): boolean {
    return this.#targetTemplateId !== null && this.#followed === null;
  }

  get host(): string {
    if (this.#targetTemplateId === null) return this.#typedHost;
    return this.#followed?.host ?? '';
  }
  set host(value: string) {
    this.#detach();
    this.#typedHost = value;
  }

  /** As typed, so "0x50" reaches main and gets its plain-words refusal. */
  get port(): string {
    if (this.#targetTemplateId === null) return this.#typedPort;
    return this.#followed?.port ?? '';
  }
  set port(value: string) {
    this.#detach();
    this.#typedPort = value;
  }

  get route(): Route {
    return this.#route;
  }
  set route(value: Route) {
    this.#detach();
    this.#route = value;
  }

  /** Speak TLS on the next connection: the learner's choice, else on exactly when the port is 443. */
  get tls(): boolean {
    return this.#tlsChosen ?? tlsDefaultFor(this.port);
  }
  set tls(value: boolean) {
    this.#tlsChosen = value;
  }

  /** The switch shows the port's default (the learner has not flipped it since the last template or target). */
  get tlsFollowsPort(): boolean {
    return this.#tlsChosen === null;
  }

  /** Fill host and port from a template's server, now or as soon as the lab's server list arrives. */
  followTemplateTarget(templateId: string): void {
    this.#targetTemplateId = templateId;
    this.#route = 'lab';
    this.#tlsChosen = null;
  }

  /** Put a host and port into the boxes, on the lab route. */
  useTarget(target: Target): void {
    this.#targetTemplateId = null;
    this.#typedHost = target.host;
    this.#typedPort = target.port;
    this.#route = 'lab';
    this.#tlsChosen = null;
  }

  /** The learner takes over: what the boxes show now becomes what they typed. */
  #detach(): void {
    if (this.#targetTemplateId === null) return;
    this.#typedHost = this.host;
    this.#typedPort = this.port;
    this.#targetTemplateId = null;
  }

  get text(): string {
    return this.#text;
  }
  set text(value: string) {
    this.#text = value;
    this.#formatProblem = null;
  }

  get format(): SendFormat {
    return this.#format;
  }

  /**
   * Switch between text and hex, converting what is in the box to the same bytes in the other spelling, so hex
   * digits are never sent as ASCII text. When the box cannot be read as bytes, nothing changes and
   * `formatProblem` says why. Returns whether the format changed.
   */
  setFormat(format: SendFormat): boolean {
    if (format === this.#format) return true;
    const parsed = composerBytes(this.#text, this.#format, this.#enter);
    if (!parsed.ok) {
      this.#formatProblem = `The message stays in ${this.#format}: it cannot be turned into bytes yet (${parsed.error}) Fix it, then switch.`;
      return false;
    }
    this.#text = format === 'hex' ? bytesToHex(parsed.bytes) : bytesToComposerText(parsed.bytes);
    this.#format = format;
    this.#formatProblem = null;
    return true;
  }

  /** Why the last switch between text and hex was refused; null when it was not. */
  get formatProblem(): string | null {
    return this.#formatProblem;
  }

  /** Put a template's text in the box (always text). */
  useText(text: string): void {
    this.#text = text;
    this.#format = 'text';
    this.#formatProblem = null;
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

/** The TLS switch's default for a port as typed: on for HTTPS's port 443 (also typed as ` 443`), off for any other. */
export function tlsDefaultFor(port: string): boolean {
  return port.trim() === '443';
}
