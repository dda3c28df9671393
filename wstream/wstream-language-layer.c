/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The small API for language layers: bindings that mirror the Standard's
 * promises with promises of their own language (the GJS web-standard
 * module) and need them to settle in exactly the Standard's order.
 */
#include "wstream-private.h"

/**
 * wstream_promise_set_settled_callback:
 * @self: a #WStreamPromise
 * @func: (scope notified) (closure user_data) (destroy destroy): called
 *   synchronously when @self settles
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when @self is finalized
 *
 * For language layers: makes @self call @func synchronously, inside the
 * call that settles it, before anything that waits on it is queued. If
 * @self has settled already, @func runs before this function returns.
 * @func runs at most once; @destroy runs when @self is finalized.
 *
 * A language layer that mirrors @self with a promise of its own language
 * settles that promise from @func, so that both settle at the same moment
 * of the Standard's algorithms: the reactions of the language's promises
 * then run in the Standard's order relative to the language's own
 * microtasks, which waiting with [method@WStream.Promise.wait_async] (one
 * main-loop job later) cannot give.
 *
 * A promise has one settled callback; setting a second one is a
 * programmer error. C programs have no use for this: use the `_async`
 * functions.
 */
void
wstream_promise_set_settled_callback (WStreamPromise            *self,
                                      WStreamPromiseSettledFunc  func,
                                      gpointer                   user_data,
                                      GDestroyNotify             destroy)
{
  g_return_if_fail (WSTREAM_IS_PROMISE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (self->settled_func == NULL && self->settled_destroy == NULL);
  WSTREAM_RETURN_IF_WRONG_THREAD (self->queue);

  self->settled_data = user_data;
  self->settled_destroy = destroy;
  if (self->state != WSTREAM_PROMISE_PENDING)
    {
      g_autoptr (WStreamPromise) pinned = g_object_ref (self);

      /* Keep the destroy notify for finalize, but never call @func twice. */
      self->settled_func = NULL;
      func (self, user_data);
      return;
    }
  self->settled_func = func;
}

/**
 * wstream_promise_resolve_now:
 * @self: a #WStreamPromise
 * @value: (nullable): the value to resolve with, copied; %NULL for none
 *
 * For language layers: fulfills @self like [method@WStream.Promise.resolve],
 * but runs the stream's own reactions to it now, inside this call, instead
 * of from the job queue. When @self is a promise that a sink got from
 * [method@WStream.DefaultController.defer], the stream goes on (the next
 * write, the close, the abort) before this call returns — as the Standard's
 * reaction to the promise a JavaScript sink returned does.
 *
 * Only call it from a callback that runs on an empty stack of stream
 * calls, such as a microtask of the binding's language that the binding
 * queued when the sink's own promise settled: it runs sink vfuncs, size
 * functions and settled callbacks synchronously. Callbacks of `_async`
 * callers still run from the job queue.
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was already
 *   settled
 */
gboolean
wstream_promise_resolve_now (WStreamPromise *self,
                             const GValue   *value)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), FALSE);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->queue, FALSE);

  return wstream_promise_settle_now (self, value, NULL);
}

/**
 * wstream_promise_reject_now:
 * @self: a #WStreamPromise
 * @error: the reason, copied
 *
 * For language layers: rejects @self like [method@WStream.Promise.reject],
 * and runs the stream's reactions now; see
 * [method@WStream.Promise.resolve_now] for when that is allowed.
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was already
 *   settled
 */
gboolean
wstream_promise_reject_now (WStreamPromise *self,
                            const GError   *error)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->queue, FALSE);

  return wstream_promise_settle_now (self, NULL, error);
}

static WStreamPromise *
rejected_promise (WStreamJobQueue *queue,
                  GError          *error)
{
  g_autoptr (GError) owned = error;
  WStreamPromise *promise = wstream_promise_new_in (queue);

  wstream_promise_settle_rejected (promise, owned);
  return promise;
}

static GError *
released_error (const char *what)
{
  return g_error_new (WSTREAM_ERROR, WSTREAM_ERROR_RELEASED,
                      "Cannot %s a stream using a released writer", what);
}

static GError *
closing_error (void)
{
  return g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_CLOSED,
                              "Cannot close an already-closing stream");
}

/**
 * wstream_default_writer_write_promise:
 * @writer: a #WStreamDefaultWriter
 * @chunk: the chunk to write; the stream keeps its own copy until the write
 *   settled
 *
 * For language layers: `writer.write(chunk)` returning the Standard's
 * promise itself. Behaves as [method@WStream.DefaultWriter.write_async]
 * (the sink's `write` and the size function may run inside this call), but
 * gives the write's promise, so that a settled callback can be set on it
 * with [method@WStream.Promise.set_settled_callback]. The promise may have
 * settled already when this returns (a released writer, an errored stream).
 *
 * Returns: (transfer full): the write's promise
 */
WStreamPromise *
wstream_default_writer_write_promise (WStreamDefaultWriter *writer,
                                      const GValue         *chunk)
{
  WStreamPromise *promise;

  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (writer), NULL);
  g_return_val_if_fail (chunk != NULL && G_IS_VALUE (chunk), NULL);
  g_return_val_if_fail (writer->jobs != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (writer->jobs, NULL);

  if (writer->stream == NULL)
    return rejected_promise (writer->jobs, released_error ("write to"));

  promise = wstream_promise_new_in (writer->jobs);
  wstream_writable_stream_writer_write (writer, chunk, promise);
  return promise;
}

/**
 * wstream_default_writer_close_promise:
 * @writer: a #WStreamDefaultWriter
 *
 * For language layers: `writer.close()` returning the Standard's promise;
 * see [method@WStream.DefaultWriter.close_async] and
 * [method@WStream.DefaultWriter.write_promise].
 *
 * Returns: (transfer full): the close's promise
 */
WStreamPromise *
wstream_default_writer_close_promise (WStreamDefaultWriter *writer)
{
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (writer), NULL);
  g_return_val_if_fail (writer->jobs != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (writer->jobs, NULL);

  if (writer->stream == NULL)
    return rejected_promise (writer->jobs, released_error ("close"));
  if (wstream_writable_stream_close_queued_or_in_flight (writer->stream))
    return rejected_promise (writer->jobs, closing_error ());

  return wstream_writable_stream_writer_close (writer);
}

/**
 * wstream_default_writer_abort_promise:
 * @writer: a #WStreamDefaultWriter
 * @reason: (nullable): why; %NULL for a %WSTREAM_ERROR_ABORTED error
 *
 * For language layers: `writer.abort(reason)` returning the Standard's
 * promise; see [method@WStream.DefaultWriter.abort_async] and
 * [method@WStream.DefaultWriter.write_promise].
 *
 * Returns: (transfer full): the abort's promise
 */
WStreamPromise *
wstream_default_writer_abort_promise (WStreamDefaultWriter *writer,
                                      const GError         *reason)
{
  g_autoptr (GError) default_reason = NULL;

  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (writer), NULL);
  g_return_val_if_fail (writer->jobs != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (writer->jobs, NULL);

  if (writer->stream == NULL)
    return rejected_promise (writer->jobs, released_error ("abort"));

  if (reason == NULL)
    reason = default_reason = g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_ABORTED,
                                                   "The stream was aborted");
  return wstream_writable_stream_writer_abort (writer, reason);
}

/* The stream's own abort() and close() run the same algorithms as the
 * writer's (WritableStreamAbort, WritableStreamClose) on an unlocked
 * stream; the private API reaches them through a writer, so borrow one for
 * the duration of the call. Its ready and closed slots are never observed. */
static WStreamDefaultWriter *
borrow_writer (WStreamWritableStream *stream)
{
  return wstream_writable_stream_get_writer (stream, NULL);
}

static void
return_writer (WStreamDefaultWriter *writer)
{
  wstream_default_writer_release_lock (writer);
  g_object_unref (writer);
}

/**
 * wstream_writable_stream_close_promise:
 * @stream: a #WStreamWritableStream
 *
 * For language layers: `stream.close()` returning the Standard's promise;
 * see [method@WStream.WritableStream.close_async] and
 * [method@WStream.DefaultWriter.write_promise].
 *
 * Returns: (transfer full): the close's promise
 */
WStreamPromise *
wstream_writable_stream_close_promise (WStreamWritableStream *stream)
{
  WStreamDefaultWriter *writer;
  WStreamPromise *promise;

  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (stream), NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (stream->jobs, NULL);

  if (stream->writer != NULL)
    return rejected_promise (stream->jobs,
                             g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_LOCKED,
                                                  "Cannot close a stream that already has a writer"));
  if (wstream_writable_stream_close_queued_or_in_flight (stream))
    return rejected_promise (stream->jobs, closing_error ());

  writer = borrow_writer (stream);
  promise = wstream_writable_stream_writer_close (writer);
  return_writer (writer);
  return promise;
}

/**
 * wstream_writable_stream_abort_promise:
 * @stream: a #WStreamWritableStream
 * @reason: (nullable): why; %NULL for a %WSTREAM_ERROR_ABORTED error
 *
 * For language layers: `stream.abort(reason)` returning the Standard's
 * promise; see [method@WStream.WritableStream.abort_async] and
 * [method@WStream.DefaultWriter.write_promise].
 *
 * Returns: (transfer full): the abort's promise
 */
WStreamPromise *
wstream_writable_stream_abort_promise (WStreamWritableStream *stream,
                                       const GError          *reason)
{
  g_autoptr (GError) default_reason = NULL;
  WStreamDefaultWriter *writer;
  WStreamPromise *promise;

  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (stream), NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (stream->jobs, NULL);

  if (stream->writer != NULL)
    return rejected_promise (stream->jobs,
                             g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_LOCKED,
                                                  "Cannot abort a stream that already has a writer"));

  if (reason == NULL)
    reason = default_reason = g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_ABORTED,
                                                   "The stream was aborted");
  writer = borrow_writer (stream);
  promise = wstream_writable_stream_writer_abort (writer, reason);
  return_writer (writer);
  return promise;
}
