#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Installs the build into a temporary DESTDIR and uses the installed copy.

    test-installed.py --meson MESON --build-root DIR --prefix P --libdir L
                      --datadir D --purelib PY --gjs GJS --python PYTHON
                      [--cc CC --pkg-config PKGCONFIG --example SOURCE]

Runs `meson install --destdir`, then, with only the installed files on the
search paths (GI_TYPELIB_PATH, LD_LIBRARY_PATH, PYTHONPATH), a Python script
using the typelib and the overrides, a GJS script using the web-standard
module, and (if a C compiler is given) the C example built with the
installed pkg-config file and headers. TAP output.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

PYTHON_SCRIPT = r'''
import gi
gi.require_version('WStream', '1')
from gi.repository import GLib, GObject, WStream
import gi.overrides.WStream as overrides
import os, sys
root = sys.argv[1]
assert os.path.realpath(overrides.__file__).startswith(os.path.realpath(root)), overrides.__file__
assert WStream.WritableStream.__module__ == 'gi.overrides.WStream'
typelib = gi.Repository.get_default().get_typelib_path('WStream')
assert os.path.realpath(typelib).startswith(os.path.realpath(root)), typelib

class Sink(GObject.Object, WStream.Sink):
    got = []
    def do_write(self, chunk, controller):
        self.got.append(chunk.get_data())
        return True

loop = GLib.MainLoop()
sink = Sink()
with WStream.WritableStream(sink).get_writer() as writer:
    writer.write(b'installed ')
    writer.write(memoryview(b'python'))
    writer.close(lambda error: loop.quit())
loop.run()
print((b''.join(sink.got)).decode())
'''

GJS_SCRIPT = r'''
import GLib from 'gi://GLib';
import GIRepository from 'gi://GIRepository';
const url = GLib.getenv('WSTREAM_WEB_JS');
const {WritableStream, CountQueuingStrategy} = await import(url);
const typelib = GIRepository.Repository.get_default().get_typelib_path('WStream');
if (!typelib.startsWith(GLib.getenv('WSTREAM_ROOT')))
    throw new Error(`typelib from ${typelib}`);
let got = '';
const stream = new WritableStream({
    write(chunk) { got += chunk; return new Promise(r => setTimeout(r, 1)); },
}, new CountQueuingStrategy({highWaterMark: 1}));
const writer = stream.getWriter();
for (const chunk of ['installed ', 'gjs'])
    await writer.write(chunk);
await writer.close();
print(got);
'''


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, ok, name, details=''):
        self.n += 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.n, name))
        if not ok:
            self.failed += 1
            for line in details.splitlines():
                print('#   ' + line)


def run(argv, env, cwd=None):
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def main():
    parser = argparse.ArgumentParser()
    for option in ('meson', 'build-root', 'prefix', 'libdir', 'datadir', 'purelib', 'gjs',
                   'python', 'cc', 'pkg-config', 'example'):
        parser.add_argument('--' + option, default='')
    args = parser.parse_args()

    tap = Tap()
    print('1..5')
    destdir = tempfile.mkdtemp(prefix='wstream-install-')
    try:
        code, out, err = run([args.meson, 'install', '-C', args.build_root, '--no-rebuild',
                              '--destdir', destdir], dict(os.environ))
        tap.result(code == 0, 'meson install --destdir', out[-2000:] + err[-2000:])
        if code != 0:
            return 1

        def staged(path):
            if not os.path.isabs(path):
                path = os.path.join(args.prefix, path)
            return destdir + path

        root = staged(args.prefix)
        libdir = staged(args.libdir)
        env = {k: v for k, v in os.environ.items()
               if k not in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH', 'PYTHONPATH')}
        env['GI_TYPELIB_PATH'] = os.path.join(libdir, 'girepository-1.0')
        env['LD_LIBRARY_PATH'] = libdir
        env['PYTHONPATH'] = staged(args.purelib)
        env['WSTREAM_ROOT'] = root
        web_js = os.path.join(staged(args.datadir), 'wstream-1', 'gjs', 'wstream-web.js')
        env['WSTREAM_WEB_JS'] = 'file://' + web_js

        expected = [os.path.join(env['GI_TYPELIB_PATH'], 'WStream-1.typelib'), web_js,
                    os.path.join(env['PYTHONPATH'], 'gi', 'overrides', 'WStream.py'),
                    os.path.join(staged(os.path.join(args.prefix, 'include')), 'wstream-1',
                                 'wstream-language-layer.h')]
        missing = [path for path in expected if not os.path.exists(path)]
        tap.result(not missing, 'typelib, GJS module, Python overrides and headers are installed',
                   '\n'.join('missing: ' + path for path in missing))

        code, out, err = run([args.python, '-c', PYTHON_SCRIPT, root], env)
        tap.result(code == 0 and out == 'installed python\n',
                   'Python uses the installed typelib and overrides', out + err)

        script = os.path.join(destdir, 'installed-test.js')
        with open(script, 'w', encoding='utf-8') as f:
            f.write(GJS_SCRIPT)
        code, out, err = run([args.gjs, '-m', script], env)
        tap.result(code == 0 and out == 'installed gjs\n',
                   'GJS uses the installed typelib and web module', out + err)

        if not args.cc or not args.pkg_config or not args.example:
            print('ok 5 # SKIP no C compiler or pkg-config')
            return 1 if tap.failed else 0
        pc_env = dict(env)
        pc_env['PKG_CONFIG_PATH'] = os.path.join(libdir, 'pkgconfig')
        code, flags, err = run([args.pkg_config, '--cflags', '--libs', 'wstream-1'], pc_env)
        # The .pc file names the final prefix: look into the staged copy
        # first (dependencies such as GLib keep their own paths).
        staged_flags = []
        for flag in flags.split():
            if flag[:2] in ('-I', '-L') and os.path.exists(destdir + flag[2:]):
                staged_flags.append(flag[:2] + destdir + flag[2:])
            staged_flags.append(flag)
        exe = os.path.join(destdir, 'write-message')
        if code == 0:
            code, out, err = run([args.cc, args.example, '-o', exe] + staged_flags, pc_env)
        if code == 0:
            code, out, err = run([exe], env)
        tap.result(code == 0 and out.endswith('closed\n'),
                   'the C example builds with the installed pkg-config file and runs',
                   flags + out + err)
        return 1 if tap.failed else 0
    finally:
        shutil.rmtree(destdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
