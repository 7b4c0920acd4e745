/** One way to run axe in the end-to-end specs: cheap, and as strict as AxeBuilder's default on this app. */
import { createRequire } from 'node:module';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** The axe-core AxeBuilder itself loads (a dependency of @axe-core/playwright, not of ours), so versions agree. */
const AXE_SOURCE = (createRequire(require.resolve('@axe-core/playwright'))('axe-core') as { source: string }).source;

/**
 * An AxeBuilder for `page` that runs `axe.run` in the page itself (legacy mode) and sends back only the violations.
 * The default mode runs `axe.runPartial`, opens a blank page, injects axe there a second time and ships every
 * partial result across to finish: that is for cross-origin iframes, which the lab has none of. `resultTypes` keeps
 * every violation with all its nodes and trims passes and the rest to one node each, so Playwright copies ~60 kB,
 * not ~640 kB. And axe-core's 1.5 MB source goes into the page once, not twice every analyze: AxeBuilder evaluates
 * its `axeSource` on each call, so once `window.axe` is there it gets an empty statement (a reload drops axe, and
 * the next call puts it back). Together an analyze of the main screen went from ~2.2 s to ~0.3 s.
 */
export async function axe(page: Page): Promise<AxeBuilder> {
  const present = await page.evaluate(() => typeof (window as { axe?: { run?: unknown } }).axe?.run === 'function');
  if (!present) await page.evaluate(AXE_SOURCE);
  return new AxeBuilder({ page, axeSource: ';' }).setLegacyMode().options({ resultTypes: ['violations'] });
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
