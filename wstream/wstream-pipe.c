/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Piping a GInputStream into a WritableStream: the GLib counterpart of
 * ReadableStreamPipeTo (https://streams.spec.whatwg.org/#readable-stream-pipe-to)
 * with a GInputStream as the source. The writer side follows the Standard:
 * it acquires a writer, waits for writer.ready before each write, and shuts
 * down "with an action" (close with error propagation, or abort) or without
 * one, waiting for the writes already made before it acts.
 *
 * One deviation: a cancelled pipe does not wait for the writes already made
 * before it aborts the stream (the Standard does, through its signal's abort
 * algorithm), because a GCancellable is expected to stop an operation
 * promptly and a write may be stuck on a base stream; the abort cancels the
 * write in flight instead.
 */
#include "wstream-private.h"
#include "wstream-pipe.h"

typedef enum {
  PHASE_RUNNING,
  PHASE_WAIT_WRITES,   /* shutting down: waiting for the writes made */
  PHASE_ACTION,        /* shutting down: the close or abort runs */
  PHASE_FINAL,         /* waiting for our own read or ready wait to end */
  PHASE_DONE,
} Phase;

typedef enum {
  ACTION_NONE,
  ACTION_CLOSE,
  ACTION_ABORT,
} Action;

typedef struct {
  WStreamWritableStream *stream;
  WStreamDefaultWriter  *writer;
  GInputStream          *input;
  WStreamPipeFlags       flags;
  gsize                  chunk_size;
  int                    io_priority;

  /* Stops our own read and our own waits when the pipe shuts down. */
  GCancellable          *internal;
  /* Watches the caller's cancellable from the stream's main context. */
  GSource               *cancel_source;

  GBytes                *chunk;          /* read, waiting for ready */
  gboolean               pollable;       /* input is pollable and can poll */
  gboolean               reading_inline; /* in the read loop of pipe_read_next() */
  gboolean               read_again;     /* ... and a read was asked for */
  gboolean               read_in_flight;
  gboolean               ready_in_flight;
  guint                  pending_writes;
  guint64                bytes_moved;    /* bytes of the writes that succeeded */
  guint64                bytes_reported;

  Phase                  phase;
  Action                 action;
  GError                *error;          /* what the pipe finishes with */
} Pipe;

static void
pipe_free (gpointer data)
{
  Pipe *pipe = data;

  g_assert (pipe->cancel_source == NULL);
  g_clear_object (&pipe->writer);
  g_clear_object (&pipe->stream);
  g_clear_object (&pipe->input);
  g_clear_object (&pipe->internal);
  g_clear_pointer (&pipe->chunk, g_bytes_unref);
  g_clear_error (&pipe->error);
  g_free (pipe);
}

static void pipe_read_next (GTask *task);
static void pipe_advance   (GTask *task);

static void
pipe_complete (GTask *task)
{
  Pipe *pipe = g_task_get_task_data (task);

  g_assert (pipe->phase == PHASE_FINAL);
  pipe->phase = PHASE_DONE;
  pipe->bytes_reported = pipe->bytes_moved;

  if (pipe->cancel_source != NULL)
    {
      g_source_destroy (pipe->cancel_source);
      g_clear_pointer (&pipe->cancel_source, g_source_unref);
    }

  /* "Finalize": release the writer's lock, then settle. */
  if (pipe->writer != NULL)
    {
      wstream_default_writer_release_lock (pipe->writer);
      g_clear_object (&pipe->writer);
    }

  if (pipe->error != NULL)
    g_task_return_error (task, g_steal_pointer (&pipe->error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The close or abort action settled: "Upon rejection of p with reason
 * newError, finalize with newError", otherwise finalize with the error the
 * pipe had. Takes @error. */
static void
finish_action (GTask  *task,
               GError *error)
{
  Pipe *pipe = g_task_get_task_data (task);

  if (error != NULL)
    {
      g_clear_error (&pipe->error);
      pipe->error = error;
    }
  pipe->phase = PHASE_FINAL;
  pipe_advance (task);
}

static void
action_close_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  wstream_promise_wait_finish (WSTREAM_PROMISE (source), result, &error);
  finish_action (task, error);
}

static void
action_abort_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  wstream_default_writer_abort_finish (WSTREAM_DEFAULT_WRITER (source), result, &error);
  finish_action (task, error);
}

static void
pipe_start_action (GTask *task)
{
  Pipe *pipe = g_task_get_task_data (task);

  g_assert (pipe->phase == PHASE_ACTION);

  switch (pipe->action)
    {
    case ACTION_NONE:
      pipe->phase = PHASE_FINAL;
      pipe_advance (task);
      break;

    case ACTION_CLOSE:
      {
        g_autoptr (WStreamPromise) promise =
          wstream_writable_stream_default_writer_close_with_error_propagation (pipe->writer);

        wstream_promise_wait_async (promise, NULL, action_close_cb, g_object_ref (task));
      }
      break;

    case ACTION_ABORT:
      wstream_default_writer_abort_async (pipe->writer, pipe->error, NULL,
                                          action_abort_cb, g_object_ref (task));
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
pipe_advance (GTask *task)
{
  Pipe *pipe = g_task_get_task_data (task);

  switch (pipe->phase)
    {
    case PHASE_RUNNING:
    case PHASE_ACTION:
    case PHASE_DONE:
      break;

    case PHASE_WAIT_WRITES:
      if (pipe->pending_writes > 0)
        break;
      pipe->phase = PHASE_ACTION;
      pipe_start_action (task);
      break;

    case PHASE_FINAL:
      if (pipe->read_in_flight || pipe->ready_in_flight)
        break;
      pipe_complete (task);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Shuts the pipe down, the Standard's "shutdown with an action" (or without
 * one for ACTION_NONE); takes @error, which may be NULL. With
 * @wait_for_writes, the writes already made settle before the action. */
static void
pipe_shutdown (GTask    *task,
               Action    action,
               GError   *error,
               gboolean  wait_for_writes)
{
  Pipe *pipe = g_task_get_task_data (task);
  WStreamWritableStream *stream = pipe->stream;

  if (pipe->phase != PHASE_RUNNING)
    {
      g_clear_error (&error);
      return;
    }

  pipe->action = action;
  pipe->error = error;
  g_clear_pointer (&pipe->chunk, g_bytes_unref);
  g_cancellable_cancel (pipe->internal);

  /* "If dest.[[state]] is "writable" and ! WritableStreamCloseQueuedOrInFlight(dest)
   * is false, wait until every chunk that has been read has been written." */
  if (wait_for_writes &&
      stream->state == WSTREAM_STATE_WRITABLE &&
      !wstream_writable_stream_close_queued_or_in_flight (stream))
    {
      pipe->phase = PHASE_WAIT_WRITES;
      pipe_advance (task);
    }
  else
    {
      pipe->phase = PHASE_ACTION;
      pipe_start_action (task);
    }
}

typedef struct {
  GTask *task;
  gsize  size;
} WriteData;

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  WriteData *data = user_data;
  g_autoptr (GTask) task = data->task;
  gsize size = data->size;
  Pipe *pipe = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  g_free (data);
  g_assert (pipe->pending_writes > 0);
  pipe->pending_writes--;

  if (wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    pipe->bytes_moved += size;
  else
    /* The stream errored: stop reading, no action. */
    pipe_shutdown (task, ACTION_NONE, g_steal_pointer (&error), FALSE);

  pipe_advance (task);
}

static void
pipe_write_chunk (GTask *task)
{
  Pipe *pipe = g_task_get_task_data (task);
  g_autoptr (GBytes) chunk = g_steal_pointer (&pipe->chunk);
  WriteData *data = g_new (WriteData, 1);

  data->task = g_object_ref (task);
  data->size = g_bytes_get_size (chunk);
  pipe->pending_writes++;
  wstream_default_writer_write_bytes_async (pipe->writer, chunk, NULL, write_cb, data);

  pipe_read_next (task);
}

static void
ready_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pipe *pipe = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  pipe->ready_in_flight = FALSE;
  ok = wstream_default_writer_wait_ready_finish (WSTREAM_DEFAULT_WRITER (source), result, &error);

  if (pipe->phase != PHASE_RUNNING)
    pipe_advance (task);
  else if (!ok)
    pipe_shutdown (task, ACTION_NONE, g_steal_pointer (&error), FALSE);
  else
    pipe_write_chunk (task);
}

/* A chunk was read: write it as soon as the stream wants more. */
static void
pipe_offer_chunk (GTask *task)
{
  Pipe *pipe = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  double desired_size;

  if (!wstream_default_writer_get_desired_size (pipe->writer, &desired_size, &error))
    {
      /* Erroring or errored. */
      pipe_shutdown (task, ACTION_NONE, g_steal_pointer (&error), FALSE);
      return;
    }

  if (desired_size > 0)
    {
      pipe_write_chunk (task);
      return;
    }

  pipe->ready_in_flight = TRUE;
  wstream_default_writer_wait_ready_async (pipe->writer, pipe->internal, ready_cb,
                                           g_object_ref (task));
}

/* A read finished with @bytes (an empty one at the end of the input) or
 * @error; takes both. */
static void
pipe_got_read (GTask  *task,
               GBytes *read_bytes,
               GError *read_error)
{
  Pipe *pipe = g_task_get_task_data (task);
  g_autoptr (GError) error = read_error;
  g_autoptr (GBytes) bytes = read_bytes;

  if (pipe->phase != PHASE_RUNNING)
    {
      pipe_advance (task);
      return;
    }

  if (bytes == NULL)
    {
      /* The source errored: abort the stream unless told not to. */
      pipe_shutdown (task,
                     (pipe->flags & WSTREAM_PIPE_FLAGS_PREVENT_ABORT) ? ACTION_NONE : ACTION_ABORT,
                     g_steal_pointer (&error), TRUE);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      /* The source closed: close the stream unless told not to. */
      pipe_shutdown (task,
                     (pipe->flags & WSTREAM_PIPE_FLAGS_PREVENT_CLOSE) ? ACTION_NONE : ACTION_CLOSE,
                     NULL, TRUE);
      return;
    }

  pipe->chunk = g_steal_pointer (&bytes);
  pipe_offer_chunk (task);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pipe *pipe = g_task_get_task_data (task);
  GError *error = NULL;
  GBytes *bytes;

  pipe->read_in_flight = FALSE;
  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  pipe_got_read (task, bytes, error);
}

/* A read of a pollable input that never blocks: NULL with
 * G_IO_ERROR_WOULD_BLOCK when there is nothing to read yet. */
static GBytes *
read_nonblocking (Pipe    *pipe,
                  GError **error)
{
  guint8 *buf = g_malloc (pipe->chunk_size);
  gssize n;

  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (pipe->input), buf,
                                                pipe->chunk_size, pipe->internal, error);
  if (n < 0)
    {
      g_free (buf);
      return NULL;
    }
  if ((gsize) n < pipe->chunk_size)
    buf = g_realloc (buf, n);
  return g_bytes_new_take (buf, n);
}

#define MAX_INLINE_READS 64

static void
pipe_read_next (GTask *task)
{
  Pipe *pipe = g_task_get_task_data (task);

  if (pipe->phase != PHASE_RUNNING)
    return;

  /* A read made below delivers its chunk at once, and writing that chunk
   * asks for the next read: loop here instead of recursing. */
  if (pipe->reading_inline)
    {
      pipe->read_again = TRUE;
      return;
    }

  /* Read inside the main context where that does not block (a pollable
   * input), or where the caller asked for it; else asynchronously. After
   * MAX_INLINE_READS reads in a row (a stream whose high-water mark is so
   * high that it never asks the pipe to wait), the next read is an
   * asynchronous one, so that the main context gets its turn. */
  if (pipe->pollable || (pipe->flags & WSTREAM_PIPE_FLAGS_BLOCKING_READS) != 0)
    {
      gboolean would_block = FALSE;
      guint n_reads = 0;

      pipe->reading_inline = TRUE;
      do
        {
          GError *error = NULL;
          GBytes *bytes;

          pipe->read_again = FALSE;
          if ((pipe->flags & WSTREAM_PIPE_FLAGS_BLOCKING_READS) != 0)
            bytes = g_input_stream_read_bytes (pipe->input, pipe->chunk_size, pipe->internal, &error);
          else
            bytes = read_nonblocking (pipe, &error);
          if (bytes == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_error_free (error);
              would_block = TRUE;
              break;
            }
          pipe_got_read (task, bytes, error);
        }
      while (pipe->read_again && pipe->phase == PHASE_RUNNING && ++n_reads < MAX_INLINE_READS);
      pipe->reading_inline = FALSE;

      if (pipe->phase != PHASE_RUNNING || (!would_block && !pipe->read_again))
        return;
    }

  pipe->read_in_flight = TRUE;
  g_input_stream_read_bytes_async (pipe->input, pipe->chunk_size, pipe->io_priority,
                                   pipe->internal, read_cb, g_object_ref (task));
}

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Pipe *pipe = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_wait_closed_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    error = g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_CLOSED,
                                 "The stream was closed while a pipe wrote into it");

  /* Our own cancellation, or the end of the pipe, lands here too. */
  if (pipe->phase != PHASE_RUNNING)
    return;

  /* The stream errored: stop reading, no action. */
  pipe_shutdown (task, ACTION_NONE, g_steal_pointer (&error), FALSE);
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  Pipe *pipe = g_task_get_task_data (task);

  if (pipe->phase == PHASE_RUNNING)
    pipe_shutdown (task,
                   (pipe->flags & WSTREAM_PIPE_FLAGS_PREVENT_ABORT) ? ACTION_NONE : ACTION_ABORT,
                   g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                        "The pipe was cancelled"),
                   FALSE);
  /* A cancelled cancellable stays ready: watch it only once. The source
   * drops its reference to the task when it is destroyed. */
  g_clear_pointer (&pipe->cancel_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/**
 * wstream_writable_stream_pipe_from_input_stream_async:
 * @self: a #WStreamWritableStream
 * @input: the stream to read from
 * @flags: options of the pipe
 * @chunk_size: the size of each read in bytes, or 0 for
 *   %WSTREAM_PIPE_DEFAULT_CHUNK_SIZE
 * @io_priority: the I/O priority of the reads
 * @cancellable: (nullable): stops the pipe
 * @callback: (scope async) (nullable): called when the pipe has finished
 * @user_data: data for @callback
 *
 * Reads @input to its end and writes what it reads into @self, one #GBytes
 * chunk per read: the GLib counterpart of `readable.pipeTo(writable)` in the
 * Streams Standard.
 *
 * The pipe locks @self with a writer of its own for as long as it runs, and
 * releases the lock before @callback runs; if @self is locked already, the
 * pipe fails with %WSTREAM_ERROR_LOCKED without reading anything.
 *
 * **Backpressure.** Before each write the pipe waits until the stream's
 * desired size is positive (its writer is ready), so the stream never
 * queues more than its strategy allows plus one chunk, and at most one more
 * chunk is in the pipe's hands: memory stays bounded however fast @input
 * is. Use a byte-length strategy to bound it in bytes. The next read starts
 * while the previous chunk is being written.
 *
 * **Reads.** A @input that is a [iface@Gio.PollableInputStream] that can
 * poll (a pipe, a socket) is read with
 * [method@Gio.PollableInputStream.read_nonblocking] first, inside the main
 * context, and asynchronously only when it has nothing to give yet. Any
 * other @input (a local file, for instance) is read with
 * [method@Gio.InputStream.read_bytes_async], which for a local file runs
 * each read in a GIO worker thread, unless %WSTREAM_PIPE_FLAGS_BLOCKING_READS
 * asks for synchronous reads inside the main context.
 *
 * **How it ends.**
 *
 * - At the end of @input the pipe waits for its writes, then closes the
 *   stream (unless %WSTREAM_PIPE_FLAGS_PREVENT_CLOSE) and succeeds once the
 *   close succeeded; a close that fails makes the pipe fail with its error.
 * - When reading fails, the pipe waits for its writes, aborts the stream
 *   with the read error (unless %WSTREAM_PIPE_FLAGS_PREVENT_ABORT) and fails
 *   with the read error (or with the abort's error, if the abort fails).
 * - When the stream errors, the pipe stops reading (a read in progress is
 *   cancelled) and fails with the stream's error.
 * - When @cancellable is cancelled, the pipe stops reading and aborts the
 *   stream with a %G_IO_ERROR_CANCELLED error (unless
 *   %WSTREAM_PIPE_FLAGS_PREVENT_ABORT) without waiting for its writes (the
 *   abort discards them, and cancels a write in flight if the sink honours
 *   [method@WStream.DefaultController.get_cancellable]); the pipe then fails
 *   with %G_IO_ERROR_CANCELLED. A cancellation that comes after the pipe
 *   began to close the stream at the end of @input changes nothing.
 *
 * @input is never closed by the pipe. A read in progress always finishes
 * (or is cancelled) before @callback runs, so @input has no pending
 * operation left then.
 *
 * Call [method@WStream.WritableStream.pipe_from_input_stream_finish] from
 * @callback to get the result and the number of bytes moved.
 */
void
wstream_writable_stream_pipe_from_input_stream_async (WStreamWritableStream *self,
                                                      GInputStream          *input,
                                                      WStreamPipeFlags       flags,
                                                      gsize                  chunk_size,
                                                      int                    io_priority,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainContext) context = NULL;
  Pipe *pipe;

  g_return_if_fail (WSTREAM_IS_WRITABLE_STREAM (self));
  g_return_if_fail (G_IS_INPUT_STREAM (input));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (chunk_size <= G_MAXSSIZE);
  WSTREAM_RETURN_IF_WRONG_THREAD (self->jobs);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wstream_writable_stream_pipe_from_input_stream_async);
  g_task_set_name (task, "[wstream] pipe from input stream");
  g_task_set_priority (task, io_priority);
  /* The pipe reports its own cancellation, after it released the lock. */
  g_task_set_check_cancellable (task, FALSE);

  pipe = g_new0 (Pipe, 1);
  pipe->stream = g_object_ref (self);
  pipe->input = g_object_ref (input);
  pipe->flags = flags;
  pipe->chunk_size = chunk_size > 0 ? chunk_size : WSTREAM_PIPE_DEFAULT_CHUNK_SIZE;
  pipe->io_priority = io_priority;
  pipe->internal = g_cancellable_new ();
  pipe->pollable = G_IS_POLLABLE_INPUT_STREAM (input) &&
                   g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input));
  pipe->phase = PHASE_RUNNING;
  g_task_set_task_data (task, pipe, pipe_free);

  if (g_input_stream_has_pending (input))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The input stream of the pipe has an operation in progress");
      return;
    }

  /* "Let writer be ! AcquireWritableStreamDefaultWriter(dest)." */
  pipe->writer = wstream_writable_stream_get_writer (self, &error);
  if (pipe->writer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* "Errors must be propagated backward" and "closing must be propagated
   * backward": a stream that is errored or closing already fails the pipe
   * before anything is read. */
  if (self->state == WSTREAM_STATE_ERRORING || self->state == WSTREAM_STATE_ERRORED)
    {
      pipe_shutdown (task, ACTION_NONE, g_error_copy (self->stored_error), FALSE);
      return;
    }
  if (self->state == WSTREAM_STATE_CLOSED || wstream_writable_stream_close_queued_or_in_flight (self))
    {
      pipe_shutdown (task, ACTION_NONE,
                     g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_CLOSED,
                                          "The stream is closing or closed and cannot be piped into"),
                     FALSE);
      return;
    }

  /* The stream erroring stops the pipe: watch the writer's closed promise. */
  wstream_default_writer_wait_closed_async (pipe->writer, pipe->internal, closed_cb,
                                            g_object_ref (task));

  if (cancellable != NULL)
    {
      context = g_main_context_ref_thread_default ();
      pipe->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (pipe->cancel_source, "[wstream] pipe cancellable");
      g_source_set_priority (pipe->cancel_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (pipe->cancel_source, (GSourceFunc) (void (*) (void)) cancelled_cb,
                             g_object_ref (task), g_object_unref);
      g_source_attach (pipe->cancel_source, context);

      /* Cancelled already: the cancellable's source aborts the stream before
       * anything is read (as pipeTo() with an aborted signal does), even when
       * the input could be read at once. */
      if (g_cancellable_is_cancelled (cancellable))
        return;
    }

  pipe_read_next (task);
}

/**
 * wstream_writable_stream_pipe_from_input_stream_finish:
 * @self: a #WStreamWritableStream
 * @result: the #GAsyncResult given to the callback
 * @bytes_moved: (out) (optional): return location for the number of bytes
 *   the sink wrote successfully; set also when the pipe failed
 * @error: return location for an error
 *
 * Finishes [method@WStream.WritableStream.pipe_from_input_stream_async].
 *
 * Returns: %TRUE if the whole input was written (and the stream closed,
 *   unless %WSTREAM_PIPE_FLAGS_PREVENT_CLOSE was given); %FALSE with @error
 *   set otherwise: the read error, the stream's error,
 *   %G_IO_ERROR_CANCELLED, %WSTREAM_ERROR_LOCKED, %WSTREAM_ERROR_CLOSED (the
 *   stream was closing or closed already) or %G_IO_ERROR_PENDING (@input
 *   had an operation in progress)
 */
gboolean
wstream_writable_stream_pipe_from_input_stream_finish (WStreamWritableStream  *self,
                                                       GAsyncResult           *result,
                                                       guint64                *bytes_moved,
                                                       GError                **error)
{
  Pipe *pipe;

  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        wstream_writable_stream_pipe_from_input_stream_async, FALSE);

  pipe = g_task_get_task_data (G_TASK (result));
  if (bytes_moved != NULL)
    *bytes_moved = pipe->bytes_reported;
  return g_task_propagate_boolean (G_TASK (result), error);
}
