/** One way to run axe in the end-to-end specs: cheap, and as strict as AxeBuilder's default on this app. */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/**
 * An AxeBuilder for `page` that runs `axe.run` in the page itself (legacy mode) and sends back only the violations.
 * The default mode runs `axe.runPartial`, opens a blank page, injects axe there a second time and ships every
 * partial result across to finish: that is for cross-origin iframes, which the lab has none of. `resultTypes` keeps
 * every violation with all its nodes and trims passes and the rest to one node each, so Playwright copies ~60 kB,
 * not ~640 kB. Together an analyze of the main screen went from ~2.2 s to ~0.6 s.
 */
export function axe(page: Page): AxeBuilder {
  return new AxeBuilder({ page }).setLegacyMode().options({ resultTypes: ['violations'] });
}

/** Serious and critical violations, one line each with up to three of the nodes it names. */
export function seriousLines(violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations']): string[] {
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => `${node.target.join(' ')} ${node.html.slice(0, 90)}`)
          .join(', ')}`,
    );
}
