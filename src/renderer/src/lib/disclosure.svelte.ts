/**
 * A part of a panel that opens and closes (WAI-ARIA's "Disclosure" pattern): a button with `aria-expanded`, and the
 * content it controls, hidden with `hidden` (display: none) while closed. Spread `toggle` on the button and
 * `content` on the content; the global class `disclosure` gives the button its look (app.css).
 *
 * Why not `<details>`: while a closed `<details>` is anywhere in the page, Chromium makes selecting all of a big text
 * box slow, in time that grows with the square of its lines (3,000 lines in the message box: 0.1 s without one,
 * 0.9 s with one; 8,000 lines: 3.5 s of a frozen page). A closed `<details>` keeps its content in a display-locked
 * subtree, and so do `hidden="until-found"` and `content-visibility: hidden`, which cost the same; `display: none`
 * does not. The page test "nothing in the page is display-locked" keeps it so.
 */
let made = 0;

export class Disclosure {
  open = $state(false);
  readonly #id = `disclosure-${++made}`;

  /** For the button that opens and closes it. */
  get toggle(): { type: 'button'; 'aria-expanded': boolean; 'aria-controls': string; onclick: () => void } {
    return {
      type: 'button',
      'aria-expanded': this.open,
      'aria-controls': this.#id,
      onclick: () => (this.open = !this.open),
    };
  }

  /** For the content it shows and hides. */
  get content(): { id: string; hidden: boolean } {
    return { id: this.#id, hidden: !this.open };
  }
}
