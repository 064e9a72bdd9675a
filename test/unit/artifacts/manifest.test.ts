import { describe, expect, it } from 'vitest';
import {
  parseManifest,
  parseManifestAttributes,
  parseProperties,
  stripDirectives,
} from '../../../src/artifacts/manifest.js';

/** Folds one header the way java.util.jar.Manifest writes it: 72-byte lines, continuations start with one space. */
function foldHeader(name: string, value: string): Buffer {
  const bytes = Buffer.from(`${name}: ${value}`, 'utf8');
  const lines: Buffer[] = [bytes.subarray(0, 72)];
  for (let i = 72; i < bytes.length; i += 71) lines.push(Buffer.concat([Buffer.from(' '), bytes.subarray(i, i + 71)]));
  return Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\r\n')]));
}

describe('parseManifest', () => {
  it('reads the three headers from a CRLF manifest and strips Bundle-SymbolicName directives', () => {
    const text = [
      'Manifest-Version: 1.0',
      'Bundle-ManifestVersion: 2',
      'Bundle-SymbolicName: com.liferay.journal.service;singleton:=true',
      'Bundle-Version: 5.0.120',
      'Liferay-Require-SchemaVersion: 4.4.2',
      '',
      '',
    ].join('\r\n');
    expect(parseManifest(text)).toEqual({
      bundleSymbolicName: 'com.liferay.journal.service',
      bundleVersion: '5.0.120',
      requireSchemaVersion: '4.4.2',
    });
  });

  it('joins continuation lines (one leading space removed) with LF line ends', () => {
    const text = [
      'Manifest-Version: 1.0',
      'Bundle-SymbolicName: com.liferay.portal.search.elasticsearch7.impl.extr',
      ' a.long.name; singleton:=true; blueprint.graceperiod:=false',
      'Bundle-Version: 6.0.',
      ' 14',
      '',
    ].join('\n');
    expect(parseManifest(text)).toEqual({
      bundleSymbolicName: 'com.liferay.portal.search.elasticsearch7.impl.extra.long.name',
      bundleVersion: '6.0.14',
      requireSchemaVersion: null,
    });
  });

  it('keeps a space that sits right after the 72-byte split (only the first space is the marker)', () => {
    const attributes = parseManifestAttributes('Import-Package: a;version="[1,2)",\n  b\n');
    expect(attributes.get('import-package')).toBe('a;version="[1,2)", b');
  });

  it('treats attribute names case-insensitively', () => {
    const text = 'bundle-symbolicname: com.acme.foo\nBUNDLE-VERSION: 1.2.3\nliferay-require-schemaversion: 2.0.0\n';
    expect(parseManifest(text)).toEqual({
      bundleSymbolicName: 'com.acme.foo',
      bundleVersion: '1.2.3',
      requireSchemaVersion: '2.0.0',
    });
  });

  it('reads only the main section: per-entry sections after the first blank line are ignored', () => {
    const text =
      'Manifest-Version: 1.0\r\nBundle-Version: 1.0.0\r\n\r\nName: com/acme/\r\nBundle-Version: ' +
      '9.9.9\r\nLiferay-Require-SchemaVersion: 3.0.0\r\n';
    expect(parseManifest(text)).toEqual({
      bundleSymbolicName: null,
      bundleVersion: '1.0.0',
      requireSchemaVersion: null,
    });
  });

  it('returns nulls for a plain (non-OSGi) manifest and for empty text', () => {
    const none = { bundleSymbolicName: null, bundleVersion: null, requireSchemaVersion: null };
    expect(parseManifest('Manifest-Version: 1.0\r\nCreated-By: Apache Ant\r\n')).toEqual(none);
    expect(parseManifest('')).toEqual(none);
  });

  it('handles old Mac CR line ends, a BOM, and blank or whitespace-only header values', () => {
    const text = '\uFEFFBundle-SymbolicName: com.acme.cr\rBundle-Version:  \rLiferay-Require-SchemaVersion:\r';
    expect(parseManifest(text)).toEqual({
      bundleSymbolicName: 'com.acme.cr',
      bundleVersion: null,
      requireSchemaVersion: null,
    });
  });

  it('unfolds real 72-byte folded bytes, even when a UTF-8 character is split across lines', () => {
    const bsn = 'com.liferay.commerce.product.type.virtual.order.content.web.internal.frontend';
    // "Bundle-Name: " is 13 bytes, so 'é' occupies bytes 71 and 72: the first fold cuts it in half.
    const title = `${'x'.repeat(58)}é – gestion des commandes numériques, très longue description ${'€'.repeat(40)}`;
    const bytes = Buffer.concat([
      Buffer.from('Manifest-Version: 1.0\r\n'),
      foldHeader('Bundle-Name', title),
      foldHeader('Bundle-SymbolicName', `${bsn};singleton:=true`),
      foldHeader('Bundle-Version', '3.0.47'),
      Buffer.from('\r\n'),
    ]);
    expect(bytes.toString('utf8')).toContain('\uFFFD');
    expect(parseManifestAttributes(bytes).get('bundle-name')).toBe(title);
    expect(parseManifest(bytes)).toEqual({
      bundleSymbolicName: bsn,
      bundleVersion: '3.0.47',
      requireSchemaVersion: null,
    });
  });

  it('parses a UTF-8 BOM given as bytes', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Bundle-Version: 7.1.0\n')]);
    expect(parseManifest(bytes).bundleVersion).toBe('7.1.0');
  });

  it('ignores malformed lines without a name', () => {
    const text = 'garbage line\n: no name\nBundle-Version: 1.0.1\n';
    expect([...parseManifestAttributes(text).entries()]).toEqual([['bundle-version', '1.0.1']]);
  });
});

describe('stripDirectives', () => {
  it('keeps only the symbolic name', () => {
    expect(stripDirectives('com.acme.web; singleton:=true')).toBe('com.acme.web');
    expect(stripDirectives(' com.acme.web ')).toBe('com.acme.web');
    expect(stripDirectives(';singleton:=true')).toBeNull();
    expect(stripDirectives(undefined)).toBeNull();
  });
});

describe('parseProperties', () => {
  it('handles separators, comments, continuations and escapes like java.util.Properties', () => {
    const text = [
      '# comment',
      '! also a comment',
      'name=My Portlet',
      'servlet-context-name : my-portlet',
      'Bundle-Version 2.0.1',
      'Import-Package=com.acme.a,\\',
      '    com.acme.b',
      'key\\ with\\ spaces=value\\tTab\\u00e9',
      'empty=',
      '   ',
      'name=Overridden',
    ].join('\n');
    const props = parseProperties(text);
    expect(Object.fromEntries(props)).toEqual({
      name: 'Overridden',
      'servlet-context-name': 'my-portlet',
      'Bundle-Version': '2.0.1',
      'Import-Package': 'com.acme.a,com.acme.b',
      'key with spaces': 'value\tTab\u00e9',
      empty: '',
    });
  });

  it('does not treat an escaped trailing backslash as a continuation', () => {
    const props = parseProperties('path=C:\\\\dir\\\\\nnext=1\r\n');
    expect(props.get('path')).toBe('C:\\dir\\');
    expect(props.get('next')).toBe('1');
  });
});
