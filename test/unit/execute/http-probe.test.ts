import { describe, expect, it } from 'vitest';
import { probePasses, readHttpProbe } from '../../../src/execute/http-probe.js';

// The one reading of the plan's HTTP probe (`curl -sS -w '\n%{http_code}'`): body, then the status alone on the last
// line.

describe('readHttpProbe', () => {
  it('reads the status from the last line and keeps the body', () => {
    const a = readHttpProbe({ exitCode: 0, stdout: '<html>\nok\n</html>\n200', stderr: '' });
    expect(a).toEqual({ answered: true, status: 200, body: '<html>\nok\n</html>', refused: false, found: 'HTTP 200' });
    expect(probePasses(a, { status: [200] })).toBe(true);
    expect(probePasses(a, { status: [200], bodyMatch: 'ok' })).toBe(true);
    expect(probePasses(a, { status: [200], bodyMatch: 'broken' })).toBe(false);
    expect(probePasses(a, { status: [204] })).toBe(false);
    expect(readHttpProbe({ exitCode: 0, stdout: '503\n', stderr: '' })).toMatchObject({
      status: 503,
      body: '',
      found: 'HTTP 503',
    });
  });

  it('tells nothing listening (curl 7) from a failed answer, and never invents a status', () => {
    expect(
      readHttpProbe({ exitCode: 7, stdout: '', stderr: 'curl: (7) Failed to connect to 127.0.0.1 port 8080\n' }),
    ).toEqual({
      answered: false,
      status: null,
      body: '',
      refused: true,
      found: 'curl: (7) Failed to connect to 127.0.0.1 port 8080',
    });
    expect(readHttpProbe({ exitCode: 28, stdout: '', stderr: '' })).toMatchObject({
      answered: false,
      refused: false,
      found: 'curl exited 28',
    });
    expect(readHttpProbe({ exitCode: null, stdout: '', stderr: '' })).toMatchObject({
      answered: false,
      found: 'no answer (connection lost)',
    });
    const garbled = readHttpProbe({ exitCode: 0, stdout: 'hello', stderr: '' });
    expect(garbled).toMatchObject({ answered: false, status: null });
    expect(probePasses(garbled, { status: [200] })).toBe(false);
  });
});
