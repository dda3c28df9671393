# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for WStream, the WHATWG Streams writable stream.

Installed with the library into ``<python purelib>/gi/overrides``; loaded by
``from gi.repository import WStream``. What they add:

- ``WStream.WritableStream(sink, strategy)`` constructs *and initializes*
  the stream (it is a ``Gio.Initable``): a failing ``start`` raises the
  sink's ``GLib.Error``.
- Writing accepts ``bytes``, ``bytearray`` and ``memoryview``; they are
  copied into a ``GLib.Bytes`` chunk (``write_async`` and ``write``). Any
  other value goes in as a ``GValue`` (``str``, ``int``, ``float``,
  ``bool``, GObjects, boxed values such as ``GLib.Bytes``).
- The writer is a context manager that releases its lock on exit::

      with stream.get_writer() as writer:
          writer.write(b"hello")
          writer.close(on_closed)

- Callback-style helpers that read like Python: ``writer.write(chunk,
  callback=None)``, ``writer.close(callback=None)``, ``writer.abort(reason=None,
  callback=None)``, ``writer.wait_ready(callback)``,
  ``writer.wait_closed(callback)``, and on the stream ``close``/``abort``.
  Each callback gets one argument: ``None`` on success, the ``GLib.Error``
  on failure. Without a callback, nothing is allocated for the result
  (``write`` then costs its queue entry only). Callbacks run from the
  stream's ``GLib.MainContext``, never inside the call.
- ``writer.desired_size``: a float, ``None`` when the stream is erroring or
  errored (the Standard's ``null``); raises ``GLib.Error``
  (``WStream.Error.RELEASED``) on a released writer.
- ``stream.locked`` and ``stream.state`` are plain attributes.
- ``controller.error(e)`` takes a ``GLib.Error``, a ``str`` (a
  ``WStream.Error.FAILED`` error with that message) or ``None``.
- ``WStream.QueuingStrategy.custom(high_water_mark, size)`` takes a plain
  Python size function ``size(chunk) -> float``; it may raise
  ``GLib.Error`` to error the stream. Any other exception also errors the
  stream (with ``WStream.Error.FAILED``), as a throwing ``size()`` does in
  the Standard.
- Abort reasons may be a ``GLib.Error``, a ``str`` (a
  ``WStream.Error.ABORTED`` error with that message) or ``None``
  (PyGObject 3.42 itself cannot pass ``None`` for a ``GError`` argument).

Writing a sink in Python: subclass ``GObject.Object`` and ``WStream.Sink``
and implement any of ``do_start(controller)``, ``do_write(chunk,
controller)``, ``do_close(controller)`` and ``do_abort(reason,
controller)``. Return ``True`` for success, raise ``GLib.Error`` for
failure, or call ``controller.defer()``, return ``True`` and settle the
promise later with ``resolve(None)`` or ``reject(error)``. Any other
exception is printed by PyGObject and the vfunc returns ``False`` without an
error: the stream treats that as ``WStream.Error.FAILED``, never as success.

PyGObject 3.42 pitfall: a ``GLib.Bytes`` chunk given to ``do_write`` is not
kept alive by PyGObject after ``do_write`` returns (the ``GValue`` it came in
is the stream's, and the Python wrapper does not own a reference). Copy what
you keep: ``data = chunk.get_data()`` (a new ``bytes``) inside ``do_write``,
never store ``chunk`` itself for later.
"""

from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

WStream = get_introspection_module('WStream')

__all__ = []

_BYTES_LIKE = (bytes, bytearray, memoryview)


def _as_bytes(chunk):
    """A GLib.Bytes copy of a bytes-like chunk, or None."""
    if isinstance(chunk, _BYTES_LIKE):
        return GLib.Bytes.new(bytes(chunk))
    return None


def _as_reason(reason):
    # PyGObject 3.42 cannot pass None for a nullable GError argument: make
    # the error the C library would use for NULL.
    if reason is None:
        reason = 'The stream was aborted'
    if isinstance(reason, GLib.Error):
        return reason
    if isinstance(reason, str):
        return GLib.Error.new_literal(WStream.error_quark(), reason,
                                      int(WStream.Error.ABORTED))
    raise TypeError('an abort reason is a GLib.Error, a str or None, not %s'
                    % type(reason).__name__)


def _finisher(finish, callback):
    """An async-ready callback that calls callback(None or GLib.Error)."""
    if callback is None:
        return None

    def ready(source, result, *unused):
        try:
            finish(result)
        except GLib.Error as error:
            callback(error)
        else:
            callback(None)
    return ready


class WritableStream(WStream.WritableStream):
    """A writable stream; see the module documentation."""

    def __init__(self, sink=None, strategy=None, **kwargs):
        super().__init__(sink=sink, strategy=strategy, **kwargs)
        # A Gio.Initable: start() runs here.
        self.init(None)

    @property
    def locked(self):
        return self.is_locked()

    @property
    def state(self):
        return self.get_state()

    def abort_async(self, reason, cancellable=None, callback=None, *user_data):
        return super().abort_async(_as_reason(reason), cancellable, callback,
                                   *user_data)

    def close(self, callback=None):
        """stream.close(): callback(None or GLib.Error) once closed."""
        super().close_async(None, _finisher(self.close_finish, callback))

    def abort(self, reason=None, callback=None):
        """stream.abort(reason): callback(None or GLib.Error) once aborted."""
        super().abort_async(_as_reason(reason), None,
                            _finisher(self.abort_finish, callback))


WritableStream = override(WritableStream)
__all__.append('WritableStream')


class DefaultWriter(WStream.DefaultWriter):
    """A stream's writer; a context manager that releases its lock."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.release_lock()
        return False

    def write_async(self, chunk, cancellable=None, callback=None, *user_data):
        data = _as_bytes(chunk)
        if data is not None:
            return super().write_bytes_async(data, cancellable, callback, *user_data)
        return super().write_async(chunk, cancellable, callback, *user_data)

    def write(self, chunk, callback=None):
        """writer.write(chunk): callback(None or GLib.Error) once written.

        Without a callback the write costs no result object; wait for
        backpressure with wait_ready().
        """
        self.write_async(chunk, None, _finisher(self.write_finish, callback))

    def close(self, callback=None):
        """writer.close(): callback(None or GLib.Error) once closed."""
        super().close_async(None, _finisher(self.close_finish, callback))

    def abort(self, reason=None, callback=None):
        """writer.abort(reason): callback(None or GLib.Error) once aborted."""
        super().abort_async(_as_reason(reason), None,
                            _finisher(self.abort_finish, callback))

    def abort_async(self, reason, cancellable=None, callback=None, *user_data):
        return super().abort_async(_as_reason(reason), cancellable, callback,
                                   *user_data)

    def wait_ready(self, callback):
        """await writer.ready: callback(None or GLib.Error)."""
        super().wait_ready_async(None, _finisher(self.wait_ready_finish, callback))

    def wait_closed(self, callback):
        """await writer.closed: callback(None or GLib.Error)."""
        super().wait_closed_async(None, _finisher(self.wait_closed_finish, callback))

    @property
    def desired_size(self):
        """writer.desiredSize: a float, or None once erroring or errored."""
        if self.get_stream() is None:
            # Raises WStream.Error.RELEASED.
            return self.get_desired_size()[1]
        try:
            return self.get_desired_size()[1]
        except GLib.Error:
            return None


DefaultWriter = override(DefaultWriter)
__all__.append('DefaultWriter')


class DefaultController(WStream.DefaultController):

    def error(self, error=None):
        """controller.error(e): e is a GLib.Error, a str or None."""
        if error is None:
            error = 'The stream was errored by its controller'
        if isinstance(error, str):
            error = GLib.Error.new_literal(WStream.error_quark(), error,
                                           int(WStream.Error.FAILED))
        super().error(error)


DefaultController = override(DefaultController)
__all__.append('DefaultController')


class QueuingStrategy(WStream.QueuingStrategy):

    @classmethod
    def custom(cls, high_water_mark, size):
        """A strategy whose size is size(chunk) -> float, a Python function."""
        def size_func(chunk, *unused):
            try:
                return True, float(size(chunk))
            except GLib.Error:
                raise
            except Exception as e:
                raise GLib.Error.new_literal(
                    WStream.error_quark(),
                    'The size function raised %s: %s' % (type(e).__name__, e),
                    int(WStream.Error.FAILED))
        return WStream.QueuingStrategy.new_custom(high_water_mark, size_func)


QueuingStrategy = override(QueuingStrategy)
__all__.append('QueuingStrategy')
