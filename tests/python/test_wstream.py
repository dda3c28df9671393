#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""WStream from Python (PyGObject 3.42) with the WStream overrides.

Sinks written in Python (synchronous, failing with GLib.Error, failing with
an ordinary exception, finishing later), size functions in Python, the
strategies, and the writer driven by callbacks from a GLib.MainLoop.
"""

import sys
import unittest

# The uninstalled tests pass the source tree's overrides directory: its
# gi/overrides/WStream.py is found through gi.overrides' extend_path().
if '--overrides' in sys.argv:
    where = sys.argv.index('--overrides')
    sys.path.insert(0, sys.argv[where + 1])
    del sys.argv[where:where + 2]

import gi  # noqa: E402
gi.require_version('WStream', '1')
from gi.repository import GLib, GObject, WStream  # noqa: E402

MY_DOMAIN = GLib.quark_from_string('wstream-test-python-quark')


def my_error(code, message):
    return GLib.Error.new_literal(MY_DOMAIN, message, code)


class RecordingSink(GObject.Object, WStream.Sink):
    """Records what it gets; behaves as the chunk says: 'glib-error' raises
    a GLib.Error, 'value-error' raises ValueError, 'defer' finishes later."""

    def __init__(self, fail_start=False):
        super().__init__()
        self.events = []
        self.pending = []
        self.fail_start = fail_start

    def do_start(self, controller):
        self.events.append('start')
        if self.fail_start:
            raise my_error(1, 'cannot start')
        return True

    def do_write(self, chunk, controller):
        if isinstance(chunk, GLib.Bytes):
            # Copy now: PyGObject does not keep the GBytes alive afterwards.
            self.events.append('write %r' % chunk.get_data())
        else:
            self.events.append('write %r' % (chunk,))
        if chunk == 'glib-error':
            raise my_error(7, 'the sink refuses')
        if chunk == 'value-error':
            raise ValueError('an ordinary Python exception')
        if chunk == 'defer':
            self.pending.append(controller.defer())
        return True

    def do_close(self, controller):
        self.events.append('close')
        return True

    def do_abort(self, reason, controller):
        self.events.append('abort %s' % reason.message)
        return True


class MainLoopTestCase(unittest.TestCase):

    def setUp(self):
        self.loop = GLib.MainLoop()
        self.log = []

    def run_until(self, predicate, timeout_ms=5000):
        """Iterates the main loop until predicate() holds."""
        def check():
            if predicate():
                self.loop.quit()
                return GLib.SOURCE_REMOVE
            return GLib.SOURCE_CONTINUE
        timed_out = []

        def on_timeout():
            timed_out.append(True)
            self.loop.quit()
            return GLib.SOURCE_REMOVE
        idle = GLib.idle_add(check)
        timeout = GLib.timeout_add(timeout_ms, on_timeout)
        self.loop.run()
        if not timed_out:
            GLib.source_remove(timeout)
        else:
            GLib.source_remove(idle)
            self.fail('timed out; log so far: %r' % self.log)

    def recorder(self, label):
        def callback(error):
            if error is None:
                self.log.append('%s ok' % label)
            else:
                self.log.append('%s failed %s' % (label, error.message))
        return callback


class TestOverrides(unittest.TestCase):

    def test_the_overrides_are_loaded(self):
        self.assertEqual(WStream.WritableStream.__module__, 'gi.overrides.WStream')
        self.assertEqual(WStream.DefaultWriter.__module__, 'gi.overrides.WStream')


class TestSinks(MainLoopTestCase):

    def test_synchronous_sink_gets_every_chunk_as_python_values(self):
        sink = RecordingSink()
        stream = WStream.WritableStream(sink)
        writer = stream.get_writer()
        for chunk in ('text', 42, 2.5, b'bytes', bytearray(b'array'),
                      memoryview(b'view'), GLib.Bytes.new(b'gbytes')):
            writer.write(chunk, self.recorder('write'))
        writer.close(self.recorder('close'))
        self.run_until(lambda: 'close ok' in self.log)
        self.assertEqual(sink.events, [
            'start', "write 'text'", 'write 42', 'write 2.5', "write b'bytes'",
            "write b'array'", "write b'view'", "write b'gbytes'", 'close'])
        self.assertEqual(self.log, ['write ok'] * 7 + ['close ok'])
        self.assertEqual(stream.state, WStream.State.CLOSED)

    def test_sink_raising_glib_error_errors_the_stream_with_it(self):
        sink = RecordingSink()
        stream = WStream.WritableStream(sink)
        writer = stream.get_writer()
        errors = []
        writer.write('glib-error', errors.append)
        writer.wait_closed(errors.append)
        self.run_until(lambda: len(errors) == 2)
        for error in errors:
            self.assertTrue(error.matches(MY_DOMAIN, 7), error)
        self.assertEqual(stream.state, WStream.State.ERRORED)
        self.assertIsNone(writer.desired_size)

    def test_sink_raising_an_ordinary_exception_fails_never_succeeds(self):
        sink = RecordingSink()
        stream = WStream.WritableStream(sink)
        writer = stream.get_writer()
        results = []
        writer.write('value-error', results.append)
        writer.write('after', results.append)
        self.run_until(lambda: len(results) == 2)
        self.assertIsNotNone(results[0], 'the write must not succeed')
        self.assertTrue(results[0].matches(WStream.error_quark(), WStream.Error.FAILED),
                        results[0])
        self.assertEqual(results[0].message, results[1].message)
        self.assertEqual(stream.state, WStream.State.ERRORED)
        self.assertEqual(sink.events, ['start', "write 'value-error'"])

    def test_sink_finishes_later_through_the_deferred_promise(self):
        sink = RecordingSink()
        stream = WStream.WritableStream(sink)
        writer = stream.get_writer()
        writer.write('defer', self.recorder('first'))
        writer.write('second', self.recorder('second'))
        self.run_until(lambda: len(sink.pending) == 1)
        # Nothing settles before the sink does.
        context = GLib.MainContext.default()
        for _ in range(10):
            context.iteration(False)
        self.assertEqual(self.log, [])
        self.assertEqual(writer.desired_size, -1)
        sink.pending[0].resolve(None)
        self.run_until(lambda: len(self.log) == 2)
        self.assertEqual(self.log, ['first ok', 'second ok'])
        self.assertEqual(sink.events, ['start', "write 'defer'", "write 'second'"])

    def test_deferred_rejection_errors_the_stream(self):
        sink = RecordingSink()
        stream = WStream.WritableStream(sink)
        writer = stream.get_writer()
        writer.write('defer', self.recorder('write'))
        writer.wait_closed(self.recorder('closed'))
        self.run_until(lambda: len(sink.pending) == 1)
        sink.pending[0].reject(my_error(3, 'later failure'))
        self.run_until(lambda: len(self.log) == 2)
        self.assertEqual(self.log, ['write failed later failure', 'closed failed later failure'])

    def test_failing_start_raises_from_the_constructor(self):
        with self.assertRaises(GLib.Error) as raised:
            WStream.WritableStream(RecordingSink(fail_start=True))
        self.assertTrue(raised.exception.matches(MY_DOMAIN, 1))

    def test_abort_with_a_string_reason(self):
        sink = RecordingSink()
        stream = WStream.WritableStream(sink)
        writer = stream.get_writer()
        writer.abort('enough', self.recorder('abort'))
        writer.write('late', self.recorder('late write'))
        self.run_until(lambda: len(self.log) == 2)
        self.assertEqual(sink.events, ['start', 'abort enough'])
        self.assertEqual(self.log, ['late write failed enough', 'abort ok'])


class TestPromises(MainLoopTestCase):

    def test_await_a_promise_with_a_callback_and_a_main_loop(self):
        promise = WStream.Promise.new()
        got = []

        def done(source, result):
            got.append(source.wait_finish(result))
            got.append(source.get_value())
        promise.wait_async(None, done)
        promise.resolve(GLib.Variant('s', 'hello'))
        self.assertEqual(got, [], 'never called back inside resolve()')
        self.run_until(lambda: len(got) == 2)
        self.assertEqual(got[0], True)
        self.assertEqual(got[1].unpack(), 'hello')

    def test_rejected_promise_raises_from_finish(self):
        promise = WStream.Promise.new()
        errors = []

        def done(source, result):
            try:
                source.wait_finish(result)
            except GLib.Error as error:
                errors.append(error)
        promise.wait_async(None, done)
        promise.reject(my_error(3, 'no'))
        self.run_until(lambda: len(errors) == 1)
        self.assertTrue(errors[0].matches(MY_DOMAIN, 3))


class TestStrategies(MainLoopTestCase):

    def test_custom_size_function_in_python(self):
        measured = []

        def size(chunk):
            measured.append(chunk)
            return len(chunk)
        strategy = WStream.QueuingStrategy.custom(10, size)
        sink = RecordingSink()
        stream = WStream.WritableStream(sink, strategy)
        writer = stream.get_writer()
        writer.write('defer')
        writer.write('abc')
        self.assertEqual(measured, ['defer', 'abc'])
        self.assertEqual(writer.desired_size, 2)

    def test_size_function_raising_errors_the_stream(self):
        def size(chunk):
            if chunk == 'bad':
                raise KeyError(chunk)
            return 1
        stream = WStream.WritableStream(RecordingSink(), WStream.QueuingStrategy.custom(4, size))
        writer = stream.get_writer()
        writer.write('bad', self.recorder('write'))
        self.run_until(lambda: len(self.log) == 1)
        self.assertTrue(self.log[0].startswith('write failed The size function raised KeyError'),
                        self.log)
        self.assertIsNone(writer.desired_size)

    def test_size_function_raising_glib_error_keeps_it(self):
        def size(chunk, *unused):
            raise my_error(11, 'unmeasurable')
        stream = WStream.WritableStream(RecordingSink(),
                                        WStream.QueuingStrategy.new_custom(4, size))
        writer = stream.get_writer()
        errors = []
        writer.write('x', errors.append)
        self.run_until(lambda: len(errors) == 1)
        self.assertTrue(errors[0].matches(MY_DOMAIN, 11), errors[0])

    def test_strategy_subclass_overriding_the_size_vfunc(self):
        class DoubleLength(WStream.QueuingStrategy):
            def do_size(self, chunk):
                return True, 2.0 * len(chunk)

        strategy = DoubleLength(high_water_mark=10)
        self.assertEqual(strategy.size('abc'), (True, 6.0))
        stream = WStream.WritableStream(RecordingSink(), strategy)
        writer = stream.get_writer()
        writer.write('defer')
        writer.write('ab')
        # 'defer' is in flight (10), 'ab' queued (4): 10 - 14.
        self.assertEqual(writer.desired_size, -4)

    def test_count_and_byte_length_strategies(self):
        count = WStream.QueuingStrategy.new_count(3)
        self.assertEqual(count.get_high_water_mark(), 3)
        self.assertEqual(count.get_kind(), WStream.StrategyKind.COUNT)
        stream = WStream.WritableStream(RecordingSink(), WStream.QueuingStrategy.new_byte_length(16))
        writer = stream.get_writer()
        writer.write('defer')
        writer.write(b'0123456789')
        self.assertEqual(writer.desired_size, 16 - 10 - len(b'defer'))
        with self.assertRaises(GLib.Error) as raised:
            WStream.QueuingStrategy.new_count(-1)
        self.assertTrue(raised.exception.matches(WStream.error_quark(),
                                                 WStream.Error.INVALID_HIGH_WATER_MARK))


class TestWriter(MainLoopTestCase):

    def test_writer_is_a_context_manager_that_releases_its_lock(self):
        stream = WStream.WritableStream()
        with stream.get_writer() as writer:
            self.assertTrue(stream.locked)
            writer.write(b'data')
        self.assertFalse(stream.locked)
        with self.assertRaises(GLib.Error) as raised:
            writer.desired_size
        self.assertTrue(raised.exception.matches(WStream.error_quark(), WStream.Error.RELEASED))
        # A new writer can be had.
        with stream.get_writer() as second:
            second.close(self.recorder('close'))
        self.run_until(lambda: self.log == ['close ok'])

    def test_backpressure_with_wait_ready(self):
        sink = RecordingSink()
        stream = WStream.WritableStream(sink, WStream.QueuingStrategy.new_count(2))
        writer = stream.get_writer()
        message = 'hello'
        position = [0]

        def pump(error=None):
            # Writes while the stream wants more, then waits for ready.
            if error is not None:
                self.log.append('ready failed')
                return
            while position[0] < len(message) and writer.desired_size > 0:
                writer.write(message[position[0]])
                position[0] += 1
            if position[0] < len(message):
                self.log.append('wait at %d' % position[0])
                writer.wait_ready(pump)
            else:
                writer.close(self.recorder('close'))
        pump()
        self.run_until(lambda: 'close ok' in self.log)
        self.assertEqual([e for e in sink.events if e.startswith('write')],
                         ["write '%s'" % c for c in message])
        self.assertEqual(self.log[0], 'wait at 2')
        self.assertEqual(self.log[-1], 'close ok')

    def test_callbacks_never_run_inside_the_call(self):
        stream = WStream.WritableStream()
        writer = stream.get_writer()
        writer.release_lock()
        writer.write('x', self.recorder('released write'))
        self.assertEqual(self.log, [])
        self.run_until(lambda: len(self.log) == 1)
        self.assertTrue(self.log[0].startswith('released write failed'))

    def test_stream_close_and_abort(self):
        stream = WStream.WritableStream(RecordingSink())
        stream.close(self.recorder('close'))
        other = WStream.WritableStream(RecordingSink())
        other.abort(None, self.recorder('abort'))
        self.run_until(lambda: len(self.log) == 2)
        self.assertEqual(sorted(self.log), ['abort ok', 'close ok'])
        self.assertEqual(stream.state, WStream.State.CLOSED)
        self.assertEqual(other.state, WStream.State.ERRORED)


if __name__ == '__main__':
    unittest.main(verbosity=2)
