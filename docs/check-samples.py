#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that the code in the guide pages and the README is the code the
tests run.

Every fenced code block in C, Python or JavaScript must follow a marker

    <!-- sample: samples/sink-sync.c -->          the whole file
    <!-- sample: samples/sink-sync.c#name -->     the lines between
                                                  "docs-region: name" and
                                                  "docs-region-end" in it
    <!-- output: samples/sink-sync.c.out -->      (any language) a file

(paths relative to the page), and its content must equal that file, without
the region marker lines. With --tested FILE (repeatable), every sample a page
shows must be one of those files, so a sample no test runs fails too.
With --image FILE.svg (repeatable), the image must be well-formed SVG and
some page must show it (gi-docgen copies images next to the pages, so pages
refer to them by file name).

  check-samples.py [--update] [--tested FILE]... [--image FILE]... PAGE.md...

--update rewrites the blocks from the files instead of failing.
"""
import argparse
import os
import re
import sys
import xml.etree.ElementTree as ElementTree

MARKER = re.compile(r'^<!--\s*(sample|output):\s*(\S+?)(?:#(\S+))?\s*-->\s*$')
FENCE = re.compile(r'^(```+)\s*([\w+-]*)\s*$')
REGION_BEGIN = re.compile(r'docs-region:\s*(\S+)')
REGION_END = re.compile(r'docs-region-end')
CODE_LANGUAGES = {'c', 'python', 'py', 'js', 'javascript'}


def sample_text(path, region):
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    if region is None:
        kept = [l for l in lines if not REGION_BEGIN.search(l) and not REGION_END.search(l)]
    else:
        kept, inside, found = [], False, False
        for l in lines:
            m = REGION_BEGIN.search(l)
            if m:
                inside = m.group(1) == region
                found = found or inside
                continue
            if REGION_END.search(l):
                inside = False
                continue
            if inside:
                kept.append(l)
        if not found:
            raise ValueError(f'{path} has no region "{region}"')
        indent = min((len(l) - len(l.lstrip()) for l in kept if l.strip()), default=0)
        kept = [l[indent:] for l in kept]
    while kept and not kept[-1].strip():
        kept.pop()
    return kept


def check_page(page, tested, update):
    errors = []
    base = os.path.dirname(os.path.abspath(page))
    with open(page, encoding='utf-8') as f:
        lines = f.read().splitlines()
    out = []
    i = 0
    pending = None   # (kind, path, region, line number) of the last marker
    while i < len(lines):
        line = lines[i]
        marker = MARKER.match(line)
        fence = FENCE.match(line)
        if marker:
            pending = (marker.group(1), marker.group(2), marker.group(3), i + 1)
            out.append(line)
            i += 1
            continue
        if not fence:
            if line.strip():
                pending = None
            out.append(line)
            i += 1
            continue

        # A fenced block: find its end.
        ticks, lang = fence.group(1), fence.group(2).lower()
        end = i + 1
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        body = lines[i + 1:end]
        where = f'{page}:{i + 1}'
        if pending is None:
            if lang in CODE_LANGUAGES:
                errors.append(f'{where}: a {lang} block without a sample marker; '
                              'put the code in docs/samples/ and mark it')
            out.extend(lines[i:end + 1])
            i = end + 1
            continue

        kind, rel, region, _ = pending
        pending = None
        path = os.path.normpath(os.path.join(base, rel))
        if not os.path.exists(path):
            errors.append(f'{where}: {rel} does not exist')
            out.extend(lines[i:end + 1])
            i = end + 1
            continue
        if kind == 'sample' and tested is not None and os.path.realpath(path) not in tested:
            errors.append(f'{where}: {rel} is not run by any test (docs/meson.build)')
        try:
            expected = sample_text(path, region)
        except ValueError as e:
            errors.append(f'{where}: {e}')
            expected = body
        if body != expected:
            if update:
                print(f'{where}: updated from {rel}')
            else:
                errors.append(f'{where}: the block differs from {rel}'
                              f'{"#" + region if region else ""} '
                              '(run docs/check-samples.py --update on the page)')
                for n, (a, b) in enumerate(zip(body, expected)):
                    if a != b:
                        errors.append(f'    first difference at block line {n + 1}:\n'
                                      f'    page:   {a!r}\n    sample: {b!r}')
                        break
                else:
                    errors.append(f'    the page has {len(body)} lines, the sample {len(expected)}')
        out.append(line)
        out.extend(expected if update else body)
        out.append(lines[end] if end < len(lines) else ticks)
        i = end + 1

    if update:
        with open(page, 'w', encoding='utf-8') as f:
            f.write('\n'.join(out) + '\n')
    return errors


def check_image(path, pages):
    errors = []
    try:
        root = ElementTree.parse(path).getroot()
        if root.tag != '{http://www.w3.org/2000/svg}svg':
            errors.append(f'{path}: the root element is {root.tag}, not an SVG <svg>')
    except ElementTree.ParseError as e:
        errors.append(f'{path}: not well-formed XML: {e}')
    name = os.path.basename(path)
    shown = False
    for page in pages:
        with open(page, encoding='utf-8') as f:
            if re.search(r'!\[[^\]]*\]\(' + re.escape(name) + r'\)', f.read()):
                shown = True
    if not shown:
        errors.append(f'{path}: no page shows it (![…]({name}))')
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--update', action='store_true')
    parser.add_argument('--tested', action='append')
    parser.add_argument('--image', action='append', default=[])
    parser.add_argument('pages', nargs='+')
    args = parser.parse_args()
    tested = None if args.tested is None else {os.path.realpath(t) for t in args.tested}

    errors = []
    for page in args.pages:
        errors += check_page(page, tested, args.update)
    for image in args.image:
        errors += check_image(image, args.pages)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    print(f'{len(args.pages)} pages and {len(args.image)} images checked')
    return 0


if __name__ == '__main__':
    sys.exit(main())
