import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseDuration, formatSeconds, resolveCount } from '../../../src/plan/duration.js';
import { enclosingContext, shellWord, toVar } from '../../../src/plan/scope.js';
import { hasMalformedTemplate, renderTemplate, type TemplateVar } from '../../../src/domain/template.js';

const scope = new Map<string, TemplateVar>([
  ['node', toVar('node1')],
  ['path', toVar("/opt/my liferay/it's")],
  ['pw', toVar('${DB_PASSWORD}')],
  ['url', toVar('https://u:${TOKEN}@h/x?a="1"&b=$HOME')],
]);

function sh(command: string, env: Record<string, string> = {}): string {
  return spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } })
    .stdout;
}

describe('templates', () => {
  it('finds malformed templates', () => {
    expect(hasMalformedTemplate('x {{ }} y')).toBe(true);
    expect(hasMalformedTemplate('x {{ 1abc }}')).toBe(true);
    expect(hasMalformedTemplate('x {{ ok }}')).toBe(false);
  });

  it('reports missing names and renders nothing for them', () => {
    expect(renderTemplate('a {{ nope }} b', scope, 'text')).toEqual({ text: 'a  b', secretEnv: [], missing: ['nope'] });
  });

  it('shell mode: every value is one word, whatever it contains', () => {
    const r = renderTemplate('printf "%s|" {{path}} {{node}}', scope, 'shell');
    expect(sh(r.text)).toBe("/opt/my liferay/it's|node1|");
  });

  it('shell mode: secrets stay environment references, expanded on the node, and are listed', () => {
    const r = renderTemplate('printf "%s|" {{pw}} {{url}}', scope, 'shell');
    expect(r.secretEnv).toEqual(['DB_PASSWORD', 'TOKEN']);
    expect(r.text).not.toContain('s3cret');
    expect(sh(r.text, { DB_PASSWORD: 'p a$s', TOKEN: 't`k', HOME: '/root' })).toBe(
      'p a$s|https://u:t`k@h/x?a="1"&b=$HOME|',
    );
  });

  it('text mode: literal ${NAME} references count as secrets too', () => {
    expect(renderTemplate('Bearer ${CHAT_TOKEN} for {{node}}', scope, 'text')).toEqual({
      text: 'Bearer ${CHAT_TOKEN} for node1',
      secretEnv: ['CHAT_TOKEN'],
      missing: [],
    });
  });

  it('shellWord quotes plain and secret-bearing values', () => {
    expect(sh(`printf %s ${shellWord({ text: "a'b c", secretEnv: [] })}`)).toBe("a'b c");
    expect(sh(`printf %s ${shellWord({ text: 'x${S}"y', secretEnv: ['S'] })}`, { S: '$1 `z`' })).toBe('x$1 `z`"y');
  });

  it.each([
    ['echo {{a}}', null],
    ['echo "{{a}}"', 'quotes'],
    ["echo '{{a}}'", 'quotes'],
    ['echo "x" {{a}}', null],
    ['echo \\"{{a}}', null],
    ["ssh lb1 'rm {{a}}'", 'quotes'],
    ['cat <<EOF\n{{a}}\nEOF', 'a here-document'],
  ])('enclosingContext(%j) = %s', (command, expected) => {
    expect(enclosingContext(command)).toBe(expected);
  });
});

describe('durations and counts', () => {
  it.each([
    [30, 30],
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['500ms', 0.5],
    ['1m 30s', 90],
    ['1.5h', 5400],
  ])('parseDuration(%j) = %d', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each([
    [45, '45s'],
    [200, '3m 20s'],
    [3900, '1h 05m'],
  ])('formatSeconds(%d) = %s', (s, text) => {
    expect(formatSeconds(s)).toBe(text);
  });

  it.each([
    [3, 10, 'up', 3],
    ['50%', 5, 'up', 3],
    ['50%', 5, 'down', 2],
    ['33%', 3, 'up', 1],
    ['100%', 7, 'down', 7],
  ] as const)('resolveCount(%j, %d, %s) = %d', (value, total, round, expected) => {
    expect(resolveCount(value, total, round)).toBe(expected);
  });
});
