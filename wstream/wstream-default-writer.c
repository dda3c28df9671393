/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wstream-private.h"

/**
 * WStreamDefaultWriter:
 *
 * The handle through which you write to a #WStreamWritableStream: the
 * Standard's `WritableStreamDefaultWriter`. While it exists and has not
 * released its lock, nobody else can write to the stream.
 *
 * Every Standard method that returns a promise is an `_async`/`_finish`
 * pair here. Callbacks run from the stream's job queue in the order in
 * which the Standard settles the promises, never inside the call that
 * caused them: `write_async` on an errored stream still reports the error
 * after it returned.
 *
 * The writer's `ready` and `closed` promises are waited on with
 * [method@WStream.DefaultWriter.wait_ready_async] and
 * [method@WStream.DefaultWriter.wait_closed_async]; a language layer can
 * reach the promise objects themselves with
 * [method@WStream.DefaultWriter.get_ready] and
 * [method@WStream.DefaultWriter.get_closed].
 *
 * ## Cancellation
 *
 * A #GCancellable given to an `_async` call stops only that caller's wait:
 * the callback then gets %G_IO_ERROR_CANCELLED promptly, and the stream is
 * unchanged — a chunk stays queued and will be written, a close stays
 * requested. To throw queued chunks away, abort the stream. The
 * cancellation reaches the stream's context through a cancellable source
 * (it may come from any thread), so a cancelled callback has no place in
 * the order of the Standard's promises.
 *
 * Like every GIO operation, a pending `_async` call keeps its source
 * object alive until it calls back: a wait on `ready` or `closed` that can
 * never settle (a sink that never finishes) keeps the writer, and so the
 * stream, alive until you cancel it.
 *
 * ## The lock
 *
 * [method@WStream.DefaultWriter.release_lock] releases the lock: pending
 * writes go on, the released writer's `ready` and `closed` fail with
 * %WSTREAM_ERROR_RELEASED, and a new writer can be had from the stream.
 * Dropping the last reference to a writer that holds the lock releases it
 * too.
 */

G_DEFINE_FINAL_TYPE (WStreamDefaultWriter, wstream_default_writer, G_TYPE_OBJECT)

/* The type is final: an exact class test is the whole type check, without
 * the get_type() call of WSTREAM_IS_DEFAULT_WRITER(). Set in class_init,
 * before any instance exists. */
static GType writer_type;
static GType bytes_type;   /* G_TYPE_BYTES, without a get_type() call per write */
GType wstream_default_writer_gtype;
#define IS_WRITER(obj) \
  ((obj) != NULL && ((GTypeInstance *) (obj))->g_class != NULL && \
   ((GTypeInstance *) (obj))->g_class->g_type == writer_type)

static void
wstream_default_writer_dispose (GObject *object)
{
  WStreamDefaultWriter *self = WSTREAM_DEFAULT_WRITER (object);

  if (self->stream != NULL)
    wstream_writable_stream_writer_release (self);

  G_OBJECT_CLASS (wstream_default_writer_parent_class)->dispose (object);
}

static void
wstream_default_writer_finalize (GObject *object)
{
  WStreamDefaultWriter *self = WSTREAM_DEFAULT_WRITER (object);

  wstream_promise_slot_destroy (&self->ready);
  wstream_promise_slot_destroy (&self->closed);
  if (self->jobs != NULL)
    wstream_job_queue_unref (self->jobs);

  G_OBJECT_CLASS (wstream_default_writer_parent_class)->finalize (object);
}

static void
wstream_default_writer_class_init (WStreamDefaultWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  writer_type = G_TYPE_FROM_CLASS (klass);
  wstream_default_writer_gtype = writer_type;
  bytes_type = G_TYPE_BYTES;
  object_class->dispose = wstream_default_writer_dispose;
  object_class->finalize = wstream_default_writer_finalize;
}

static void
wstream_default_writer_init (WStreamDefaultWriter *self)
{
}

WStreamDefaultWriter *
wstream_default_writer_new_internal (void)
{
  return g_object_new (WSTREAM_TYPE_DEFAULT_WRITER, NULL);
}

GError *
wstream_released_writer_error (const char *what)
{
  return g_error_new (WSTREAM_ERROR, WSTREAM_ERROR_RELEASED,
                      "Cannot %s a stream using a released writer", what);
}

/**
 * wstream_default_writer_new:
 * @stream: the stream to lock
 * @error: return location for an error
 *
 * Makes a writer for @stream and locks @stream to it, as `new
 * WritableStreamDefaultWriter(stream)` does; the same as
 * [method@WStream.WritableStream.get_writer].
 *
 * Returns: (transfer full): the writer, or %NULL with
 *   %WSTREAM_ERROR_LOCKED if @stream is locked already
 */
WStreamDefaultWriter *
wstream_default_writer_new (WStreamWritableStream  *stream,
                            GError                **error)
{
  return wstream_writable_stream_get_writer (stream, error);
}

/* The body of write_async and write_bytes_async, after their checks. */
static inline void
writer_write (WStreamDefaultWriter *self,
              const GValue         *chunk,
              GCancellable         *cancellable,
              GAsyncReadyCallback   callback,
              gpointer              user_data)
{
  WStreamPromise *promise = NULL;

  if (self->stream == NULL)
    {
      wstream_report_error (self->jobs, self, cancellable, callback, user_data,
                            wstream_default_writer_write_async,
                            wstream_released_writer_error ("write to"));
      return;
    }

  if (callback != NULL)
    promise = wstream_promise_new_for_call (self->jobs, self, cancellable, callback, user_data,
                                            wstream_default_writer_write_async);
  wstream_writable_stream_writer_write_take (self, chunk, promise);
}

/**
 * wstream_default_writer_write_async:
 * @self: a #WStreamDefaultWriter
 * @chunk: the chunk to write; the stream keeps its own copy until the write
 *   settled
 * @cancellable: (nullable): stops waiting for the result; the chunk stays
 *   queued
 * @callback: (scope async) (nullable): called when the sink has processed
 *   the chunk, or the write failed
 * @user_data: data for @callback
 *
 * Writes @chunk, as `writer.write(chunk)` does. If the stream has started
 * (its sink's `start` settled, which happens from the job queue even for a
 * sink without `start`) and is idle, the sink's `write` runs before this
 * call returns; otherwise the chunk waits in the queue. The strategy's size
 * function, if any, runs inside this call.
 *
 * With a %NULL @callback no result object is made: the write costs its
 * queue entry only (the `writer.write(chunk).catch(() => {})` idiom). Use
 * [method@WStream.DefaultWriter.wait_ready_async] for backpressure.
 */
void
wstream_default_writer_write_async (WStreamDefaultWriter *self,
                                    const GValue         *chunk,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  g_return_if_fail (IS_WRITER (self));
  /* A GBytes chunk, the common one, is a valid GValue without asking the
   * type system. */
  g_return_if_fail (chunk != NULL && (G_VALUE_TYPE (chunk) == bytes_type || G_IS_VALUE (chunk)));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->jobs != NULL);
  WSTREAM_RETURN_IF_WRONG_THREAD (self->jobs);

  writer_write (self, chunk, cancellable, callback, user_data);
}

/**
 * wstream_default_writer_write_bytes_async:
 * @self: a #WStreamDefaultWriter
 * @bytes: the bytes to write; the stream keeps a reference
 * @cancellable: (nullable): stops waiting for the result; the chunk stays
 *   queued
 * @callback: (scope async) (nullable): called when the sink has processed
 *   the chunk, or the write failed
 * @user_data: data for @callback
 *
 * Writes @bytes as one chunk of type #GBytes: the same as
 * [method@WStream.DefaultWriter.write_async] with a #GBytes value, and
 * finished by [method@WStream.DefaultWriter.write_finish]. Bindings pass
 * binary data this way (a `Uint8Array` in GJS, `GLib.Bytes` in Python).
 */
void
wstream_default_writer_write_bytes_async (WStreamDefaultWriter *self,
                                          GBytes               *bytes,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data)
{
  GValue value = G_VALUE_INIT;

  g_return_if_fail (bytes != NULL);
  /* write_async's checks, but for the chunk, which is made here. */
  g_return_if_fail (IS_WRITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->jobs != NULL);
  WSTREAM_RETURN_IF_WRONG_THREAD (self->jobs);

  /* What g_value_set_static_boxed() makes, without the type checks: the
   * stream takes its own reference when it queues the chunk. */
  value.g_type = bytes_type;
  value.data[0].v_pointer = bytes;
  value.data[1].v_uint = G_VALUE_NOCOPY_CONTENTS;
  writer_write (self, &value, cancellable, callback, user_data);
}

/**
 * wstream_default_writer_write_finish:
 * @self: a #WStreamDefaultWriter
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@WStream.DefaultWriter.write_async] and
 * [method@WStream.DefaultWriter.write_bytes_async].
 *
 * Returns: %TRUE if the sink wrote the chunk; %FALSE with @error set if the
 *   write failed (the sink's error, the stream's stored error,
 *   %WSTREAM_ERROR_CLOSED, %WSTREAM_ERROR_RELEASED) or the wait was
 *   cancelled
 */
gboolean
wstream_default_writer_write_finish (WStreamDefaultWriter  *self,
                                     GAsyncResult          *result,
                                     GError               **error)
{
  g_return_val_if_fail (IS_WRITER (self), FALSE);

  return wstream_promise_propagate (result, self, wstream_default_writer_write_async, error);
}

/**
 * wstream_default_writer_close_async:
 * @self: a #WStreamDefaultWriter
 * @cancellable: (nullable): stops waiting for the result; the close stays
 *   requested
 * @callback: (scope async) (nullable): called when the sink closed, or the
 *   close failed
 * @user_data: data for @callback
 *
 * Closes the stream once every queued chunk is written, as `writer.close()`
 * does. Fails with %WSTREAM_ERROR_CLOSED when a close was requested
 * already, and with %WSTREAM_ERROR_RELEASED on a released writer.
 */
void
wstream_default_writer_close_async (WStreamDefaultWriter *self,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  g_autoptr (WStreamPromise) promise = NULL;

  g_return_if_fail (IS_WRITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The same checks and algorithm as the language layer's close_promise;
   * the caller waits on the promise it gives, settled or not. */
  promise = wstream_default_writer_close_promise (self);
  if (promise != NULL)
    wstream_promise_add_waiter (promise, self, cancellable, callback, user_data,
                                wstream_default_writer_close_async);
}

/**
 * wstream_default_writer_close_finish:
 * @self: a #WStreamDefaultWriter
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@WStream.DefaultWriter.close_async].
 *
 * Returns: %TRUE if the sink closed, %FALSE with @error set otherwise
 */
gboolean
wstream_default_writer_close_finish (WStreamDefaultWriter  *self,
                                     GAsyncResult          *result,
                                     GError               **error)
{
  g_return_val_if_fail (IS_WRITER (self), FALSE);

  return wstream_promise_propagate (result, self, wstream_default_writer_close_async, error);
}

/**
 * wstream_default_writer_abort_async:
 * @self: a #WStreamDefaultWriter
 * @reason: (nullable): why; %NULL for a %WSTREAM_ERROR_ABORTED error
 * @cancellable: (nullable): stops waiting for the result; the abort goes on
 * @callback: (scope async) (nullable): called when the abort finished
 * @user_data: data for @callback
 *
 * Aborts the stream, as `writer.abort(reason)` does: queued chunks are
 * dropped, the controller's #GCancellable is cancelled (now, inside this
 * call), and once any write in flight settled the sink's `abort` gets
 * @reason. Pending writes fail with @reason.
 */
void
wstream_default_writer_abort_async (WStreamDefaultWriter *self,
                                    const GError         *reason,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  g_autoptr (WStreamPromise) promise = NULL;

  g_return_if_fail (IS_WRITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  promise = wstream_default_writer_abort_promise (self, reason);
  if (promise != NULL)
    wstream_promise_add_waiter (promise, self, cancellable, callback, user_data,
                                wstream_default_writer_abort_async);
}

/**
 * wstream_default_writer_abort_finish:
 * @self: a #WStreamDefaultWriter
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@WStream.DefaultWriter.abort_async].
 *
 * Returns: %TRUE when the abort finished (also for a stream that was
 *   closed or errored already); %FALSE with @error set if the sink's abort
 *   failed, the writer was released, or the wait was cancelled
 */
gboolean
wstream_default_writer_abort_finish (WStreamDefaultWriter  *self,
                                     GAsyncResult          *result,
                                     GError               **error)
{
  g_return_val_if_fail (IS_WRITER (self), FALSE);

  return wstream_promise_propagate (result, self, wstream_default_writer_abort_async, error);
}

/**
 * wstream_default_writer_wait_ready_async:
 * @self: a #WStreamDefaultWriter
 * @cancellable: (nullable): stops this wait
 * @callback: (scope async) (nullable): called when the stream is ready
 * @user_data: data for @callback
 *
 * Waits for the writer's `ready` promise: for the desired size to become
 * positive, that is, for the stream to want more data. Fails when the
 * stream errors, and with %WSTREAM_ERROR_RELEASED once the lock is
 * released. The promise waited on is the one current at this call; a ready
 * promise that settled already still calls back from the job queue.
 */
void
wstream_default_writer_wait_ready_async (WStreamDefaultWriter *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data)
{
  g_return_if_fail (IS_WRITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->jobs != NULL);
  WSTREAM_RETURN_IF_WRONG_THREAD (self->jobs);

  wstream_promise_slot_add_waiter (&self->ready, self->jobs, self, cancellable, callback,
                                   user_data, wstream_default_writer_wait_ready_async);
}

/**
 * wstream_default_writer_wait_ready_finish:
 * @self: a #WStreamDefaultWriter
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@WStream.DefaultWriter.wait_ready_async].
 *
 * Returns: %TRUE if the stream is ready for more, %FALSE with @error set
 *   otherwise
 */
gboolean
wstream_default_writer_wait_ready_finish (WStreamDefaultWriter  *self,
                                          GAsyncResult          *result,
                                          GError               **error)
{
  g_return_val_if_fail (IS_WRITER (self), FALSE);

  return wstream_promise_propagate (result, self, wstream_default_writer_wait_ready_async, error);
}

/**
 * wstream_default_writer_wait_closed_async:
 * @self: a #WStreamDefaultWriter
 * @cancellable: (nullable): stops this wait
 * @callback: (scope async) (nullable): called when the stream closed or
 *   errored
 * @user_data: data for @callback
 *
 * Waits for the writer's `closed` promise: it succeeds when the stream
 * closed, and fails when it errored, or with %WSTREAM_ERROR_RELEASED once
 * the lock is released.
 */
void
wstream_default_writer_wait_closed_async (WStreamDefaultWriter *self,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data)
{
  g_return_if_fail (IS_WRITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->jobs != NULL);
  WSTREAM_RETURN_IF_WRONG_THREAD (self->jobs);

  wstream_promise_slot_add_waiter (&self->closed, self->jobs, self, cancellable, callback,
                                   user_data, wstream_default_writer_wait_closed_async);
}

/**
 * wstream_default_writer_wait_closed_finish:
 * @self: a #WStreamDefaultWriter
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@WStream.DefaultWriter.wait_closed_async].
 *
 * Returns: %TRUE if the stream closed, %FALSE with @error set otherwise
 */
gboolean
wstream_default_writer_wait_closed_finish (WStreamDefaultWriter  *self,
                                           GAsyncResult          *result,
                                           GError               **error)
{
  g_return_val_if_fail (IS_WRITER (self), FALSE);

  return wstream_promise_propagate (result, self, wstream_default_writer_wait_closed_async, error);
}

/**
 * wstream_default_writer_get_desired_size:
 * @self: a #WStreamDefaultWriter
 * @out_size: (out): return location for the desired size
 * @error: return location for an error
 *
 * How much the stream wants before it is full, as `writer.desiredSize`
 * says: the high-water mark minus the size of what is queued (the chunk
 * being written included). It is 0 or negative under backpressure, and 0
 * for a closed stream.
 *
 * Returns: %TRUE with @out_size set; %FALSE with %WSTREAM_ERROR_RELEASED
 *   for a released writer, or with a copy of the stored error when the
 *   stream is erroring or errored (the Standard's `null`)
 */
gboolean
wstream_default_writer_get_desired_size (WStreamDefaultWriter  *self,
                                         double                *out_size,
                                         GError               **error)
{
  g_return_val_if_fail (IS_WRITER (self), FALSE);
  g_return_val_if_fail (out_size != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->stream == NULL)
    {
      g_set_error_literal (error, WSTREAM_ERROR, WSTREAM_ERROR_RELEASED,
                           "Cannot get the desired size of a stream using a released writer");
      return FALSE;
    }
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->jobs, FALSE);

  /* WritableStreamDefaultWriterGetDesiredSize of a writable stream (step 5:
   * WritableStreamDefaultControllerGetDesiredSize) without leaving this
   * file: producers ask on every write. */
  if (G_LIKELY (self->stream->state == WSTREAM_STATE_WRITABLE))
    {
      WStreamDefaultController *controller = self->stream->controller;

      *out_size = controller->strategy_hwm - controller->queue_total_size;
      return TRUE;
    }

  return wstream_writable_stream_writer_get_desired_size (self, out_size, error);
}

/**
 * wstream_default_writer_release_lock:
 * @self: a #WStreamDefaultWriter
 *
 * Releases the writer's lock on the stream, as `writer.releaseLock()` does.
 * Writes already made go on; the writer's `ready` and `closed` now fail
 * with %WSTREAM_ERROR_RELEASED, and every later call on it fails the same
 * way. Another writer can then be had from the stream. Releasing a released
 * writer does nothing.
 */
void
wstream_default_writer_release_lock (WStreamDefaultWriter *self)
{
  g_return_if_fail (IS_WRITER (self));

  if (self->stream == NULL)
    return;
  WSTREAM_RETURN_IF_WRONG_THREAD (self->jobs);

  g_assert (self->stream->writer == self);
  wstream_writable_stream_writer_release (self);
}

/**
 * wstream_default_writer_get_stream:
 * @self: a #WStreamDefaultWriter
 *
 * The stream @self holds the lock of.
 *
 * Returns: (transfer none) (nullable): the stream, or %NULL once the lock
 *   was released
 */
WStreamWritableStream *
wstream_default_writer_get_stream (WStreamDefaultWriter *self)
{
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (self), NULL);

  return self->stream;
}

/**
 * wstream_default_writer_get_ready:
 * @self: a #WStreamDefaultWriter
 *
 * The writer's current `ready` promise itself, for language layers that
 * mirror promises (see [method@WStream.Promise.wait_async]). The Standard
 * replaces it when backpressure begins, so ask again rather than keep it.
 *
 * Returns: (transfer none): the current ready promise
 */
WStreamPromise *
wstream_default_writer_get_ready (WStreamDefaultWriter *self)
{
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (self), NULL);
  g_return_val_if_fail (self->jobs != NULL, NULL);

  return wstream_promise_slot_get (&self->ready, self->jobs);
}

/**
 * wstream_default_writer_get_closed:
 * @self: a #WStreamDefaultWriter
 *
 * The writer's current `closed` promise itself, for language layers that
 * mirror promises. Releasing the lock replaces a settled one.
 *
 * Returns: (transfer none): the current closed promise
 */
WStreamPromise *
wstream_default_writer_get_closed (WStreamDefaultWriter *self)
{
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (self), NULL);
  g_return_val_if_fail (self->jobs != NULL, NULL);

  return wstream_promise_slot_get (&self->closed, self->jobs);
}
