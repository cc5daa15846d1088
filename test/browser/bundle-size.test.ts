import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTENSION_DIR } from './chromium.ts';

// The content script runs on every page the shopper opens: it must stay small (issue 2: ≤ 40 KB minified)
// and carry no UI library nor the zod schemas (messages are checked on arrival, in the background).
const CONTENT_SCRIPT = join(EXTENSION_DIR, 'content-scripts/content.js');
// 40 KB read strictly: 40,000 bytes, not 40 KiB.
const LIMIT_BYTES = 40_000;

describe('the built content script', () => {
  const read = () => {
    try {
      return { size: statSync(CONTENT_SCRIPT).size, code: readFileSync(CONTENT_SCRIPT, 'utf8') };
    } catch {
      throw new Error(`${CONTENT_SCRIPT} is missing: run \`npm run build\` first (npm test does).`);
    }
  };

  it(`is at most ${LIMIT_BYTES} bytes`, () => {
    expect(read().size).toBeLessThanOrEqual(LIMIT_BYTES);
  });

  it('carries neither React nor zod', () => {
    const { code } = read();
    // Booleans, not the code: a failure should not print 100 KB of minified script.
    expect(/react\.(element|fragment)|__SECRET_INTERNALS|createRoot/i.test(code), 'React is in it').toBe(false);
    expect(/ZodError|\$ZodType/.test(code), 'zod is in it').toBe(false);
  });
});
