import { describe, expect, it } from 'vitest';
import { isDisplayName } from './strings.js';

describe('isDisplayName (issue 17.7)', () => {
  it.each([
    ['Alice', true],
    ['  Bob  ', true],
    ['Zoë Ångström', true],
    ['محمد', true],
    ['\u200Fמרים\u200F', true], // RLM marks are allowed in right-to-left names
    ['李小龍', true],
    ['A\u0301', true], // combining accent on a letter
    ['\u200B\u200B\u200B', false], // zero-width spaces only
    ['\u200D\u2060\uFEFF', false],
    ['   ', false],
    ['\u00A0\u3000', false],
    ['\u3164\u3164', false], // Hangul fillers
    ['\u2800', false], // blank braille
    ['\u0301\u0302', false], // combining marks alone
    ['evil\u202Egpj.exe', false], // right-to-left override
    ['x\u2067y\u2069', false], // isolates
    ['a\u0000b', false], // NUL
    ['line\nbreak', false],
    ['tab\there', false],
    ['del\u007F', false],
    ['c1\u0085', false],
    ['lone\uD800', false], // unpaired surrogate
  ])('%j → %s', (name, ok) => {
    expect(isDisplayName(name)).toBe(ok);
  });
});
