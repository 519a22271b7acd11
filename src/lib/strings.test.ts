import { describe, expect, it } from 'vitest';
import { isDisplayName, isPlainText } from './strings.js';

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

describe('isPlainText (free text)', () => {
  it.each([
    ['', true],
    ['Room 4, second floor', true],
    ['line 1\r\nline 2\n\tindented', true], // tab and line breaks are text
    ['evil\u202Egpj', true], // bidi is a name's problem, not free text's
    ['a\u0000b', false], // NUL: PostgreSQL cannot hold it
    ['bell\u0007', false],
    ['esc\u001B[31m', false],
    ['del\u007F', false],
    ['c1\u0085', false],
    ['vt\u000B', false],
  ])('%j → %s', (text, ok) => {
    expect(isPlainText(text)).toBe(ok);
  });
});
