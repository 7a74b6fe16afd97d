import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePath, fileUrl, xmemlPathUrl } from '../../exporters/shared/file-url';
import { pathFromFileUrl } from './readers/read-timeline';

test('POSIX paths become file:/// URLs with UTF-8 percent-encoding of everything outside the unreserved set', () => {
  assert.equal(fileUrl('/Users/me/Movies/My Movie.mp4'), 'file:///Users/me/Movies/My%20Movie.mp4');
  assert.equal(fileUrl('/a/b&c<d>"e"#f?g%h.mov'), 'file:///a/b%26c%3Cd%3E%22e%22%23f%3Fg%25h.mov');
  assert.equal(fileUrl('/films/été/日本.mov'), 'file:///films/%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC.mov');
  assert.equal(encodePath('A-z_0.9~/'), 'A-z_0.9~/');
});

test('Windows drive paths become file:///C:/ URLs with forward slashes, and UNC paths keep their host', () => {
  assert.equal(fileUrl('C:\\a b\\x.mov'), 'file:///C:/a%20b/x.mov');
  assert.equal(fileUrl('d:/media/x.mov'), 'file:///D:/media/x.mov');
  assert.equal(fileUrl('\\\\server\\share\\clip 1.mov'), 'file://server/share/clip%201.mov');
});

test('xmeml pathurls are written as Premiere writes them', () => {
  assert.equal(xmemlPathUrl('D:\\media\\sc01_sh010_anim.mov'), 'file://localhost/D%3a/media/sc01_sh010_anim.mov');
  assert.equal(xmemlPathUrl('/Users/me/a b.mov'), 'file://localhost/Users/me/a%20b.mov');
});

test('URLs decode back to the paths they came from', () => {
  for (const path of ['/Users/me/a b/é&<x>.mov', 'C:/a b/x.mov']) {
    assert.equal(pathFromFileUrl(fileUrl(path)), path);
    assert.equal(pathFromFileUrl(xmemlPathUrl(path)), path);
  }
  assert.equal(pathFromFileUrl('file://server/share/x.mov'), '//server/share/x.mov');
});
