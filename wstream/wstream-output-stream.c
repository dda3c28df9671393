/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wstream-private.h"
#include "wstream-output-stream.h"

/**
 * WStreamOutputStream:
 *
 * A [class@Gio.OutputStream] that writes into a #WStreamWritableStream, so
 * that [method@Gio.OutputStream.splice_async],
 * [method@Gio.OutputStream.write_all_async] and any other GIO code can
 * target any writable stream. It also implements
 * [iface@Gio.PollableOutputStream].
 *
 * The output stream locks the writable stream with a writer of its own from
 * [ctor@WStream.OutputStream.new] until it is closed. Every write becomes
 * one #GBytes chunk holding a copy of the data. Closing the output stream
 * closes the writable stream and then releases the lock; the close fails
 * with the writable stream's error if it errored.
 *
 * ## Backpressure
 *
 * - [method@Gio.OutputStream.write_async] (and so `write_all_async` and
 *   `splice_async`) waits until the writable stream's writer is ready (its
 *   desired size is positive), then queues the data and finishes with the
 *   full count; the writable stream writes it in the background. It never
 *   queues more than the stream's strategy allows plus one chunk. If it is
 *   cancelled while it waits, nothing was queued.
 * - [method@Gio.PollableOutputStream.write_nonblocking] fails with
 *   %G_IO_ERROR_WOULD_BLOCK under backpressure;
 *   [method@Gio.PollableOutputStream.is_writable] and
 *   [method@Gio.PollableOutputStream.create_source] tell when to try again.
 * - **The synchronous [method@Gio.OutputStream.write] never blocks and
 *   never waits**: it queues the data and returns the full count at once,
 *   even under backpressure. The writable stream's sink can only make
 *   progress when the stream's main context runs, and that is normally the
 *   thread calling `write`: blocking (or running the main context from
 *   inside `write`, which could re-enter the caller) would deadlock or
 *   surprise. The data is written when the main context runs next. Code that
 *   writes a lot synchronously should use the pollable or asynchronous API
 *   instead, or memory grows without bound.
 * - [method@Gio.OutputStream.flush] does not wait either: it fails with the
 *   stream's error if the stream errored and succeeds otherwise.
 *   [method@Gio.OutputStream.flush_async] waits until every write queued so
 *   far has been written by the sink.
 * - The synchronous [method@Gio.OutputStream.close] (also what disposing
 *   an unclosed stream does) starts closing the writable stream, releases
 *   the lock and returns without waiting; use
 *   [method@Gio.OutputStream.close_async] to learn how the close went.
 *
 * Once the writable stream errored, every operation fails with its stored
 * error: for a stream made with
 * [ctor@WStream.WritableStream.new_for_output_stream] that is the #GError of
 * the base stream, unchanged.
 *
 * Like the writable stream itself, the output stream belongs to the main
 * context of the thread that made the writable stream and must be used from
 * that thread only.
 */

struct _WStreamOutputStream
{
  GOutputStream parent_instance;

  WStreamWritableStream *stream;
  WStreamDefaultWriter  *writer;          /* NULL once closed */
  guint                  pending_writes;  /* queued and not settled yet */
  GQueue                 flush_tasks;     /* waiting for pending_writes == 0 */
};

enum {
  PROP_0,
  PROP_STREAM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void wstream_output_stream_pollable_iface_init (GPollableOutputStreamInterface *iface);
static void wstream_output_stream_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WStreamOutputStream, wstream_output_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      wstream_output_stream_pollable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      wstream_output_stream_initable_iface_init))

static gboolean
check_not_closed (WStreamOutputStream  *self,
                  GError              **error)
{
  if (self->writer == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "Stream is already closed");
      return FALSE;
    }
  return TRUE;
}

/* The writer's desired size; FALSE with the stored error once the stream is
 * erroring or errored. */
static gboolean
get_desired_size (WStreamOutputStream  *self,
                  double               *out_size,
                  GError              **error)
{
  if (!check_not_closed (self, error))
    return FALSE;
  return wstream_default_writer_get_desired_size (self->writer, out_size, error);
}

static void
complete_flushes (WStreamOutputStream *self)
{
  GTask *task;

  while ((task = g_queue_pop_head (&self->flush_tasks)) != NULL)
    {
      g_autoptr (GError) error = NULL;
      double desired_size;

      if (self->writer != NULL &&
          !wstream_default_writer_get_desired_size (self->writer, &desired_size, &error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static void
queued_write_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (WStreamOutputStream) self = user_data;

  /* A failed write errored the stream: later operations report it. */
  wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, NULL);

  g_assert (self->pending_writes > 0);
  if (--self->pending_writes == 0)
    complete_flushes (self);
}

static void
queue_write (WStreamOutputStream *self,
             GBytes              *bytes)
{
  self->pending_writes++;
  wstream_default_writer_write_bytes_async (self->writer, bytes, NULL, queued_write_cb,
                                            g_object_ref (self));
}

static gssize
wstream_output_stream_write (GOutputStream  *stream,
                             const void     *buffer,
                             gsize           count,
                             GCancellable   *cancellable,
                             GError        **error)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (stream);
  g_autoptr (GBytes) bytes = NULL;
  double desired_size;

  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->stream->jobs, -1);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (!get_desired_size (self, &desired_size, error))
    return -1;
  if (count == 0)
    return 0;

  /* Never blocks: see the class documentation. */
  bytes = g_bytes_new (buffer, count);
  queue_write (self, bytes);
  return count;
}

static gboolean
wstream_output_stream_flush (GOutputStream  *stream,
                             GCancellable   *cancellable,
                             GError        **error)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (stream);
  double desired_size;

  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->stream->jobs, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return get_desired_size (self, &desired_size, error);
}

/* Closes the writable stream and releases the lock; @callback (may be NULL)
 * learns how the close went. */
static void
close_writer (WStreamOutputStream *self,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr (WStreamDefaultWriter) writer = g_steal_pointer (&self->writer);

  wstream_default_writer_close_async (writer, cancellable, callback, user_data);
  wstream_default_writer_release_lock (writer);
}

static gboolean
wstream_output_stream_close (GOutputStream  *stream,
                             GCancellable   *cancellable,
                             GError        **error)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (stream);
  g_autoptr (GError) local_error = NULL;
  double desired_size;

  if (self->writer == NULL)
    return TRUE;
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->stream->jobs, FALSE);

  /* Report an error the stream already has; the close itself goes on in the
   * background. */
  if (!wstream_default_writer_get_desired_size (self->writer, &desired_size, &local_error))
    {
      close_writer (self, NULL, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  close_writer (self, NULL, NULL, NULL);
  return TRUE;
}

static void
write_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  WStreamOutputStream *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  double desired_size;

  if (!wstream_default_writer_wait_ready_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    {
      /* Cancelled (nothing queued), or the stream errored. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The stream may have been closed meanwhile by a synchronous close. */
  if (!get_desired_size (self, &desired_size, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  queue_write (self, g_task_get_task_data (task));
  g_task_return_int (task, g_bytes_get_size (g_task_get_task_data (task)));
}

static void
wstream_output_stream_write_async (GOutputStream       *stream,
                                   const void          *buffer,
                                   gsize                count,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (stream);
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  double desired_size;

  WSTREAM_RETURN_IF_WRONG_THREAD (self->stream->jobs);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wstream_output_stream_write_async);
  g_task_set_priority (task, io_priority);
  /* Once the data is queued, the write succeeded, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error) ||
      !get_desired_size (self, &desired_size, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (count == 0)
    {
      g_task_return_int (task, 0);
      return;
    }

  g_task_set_task_data (task, g_bytes_new (buffer, count), (GDestroyNotify) g_bytes_unref);

  if (desired_size > 0)
    {
      queue_write (self, g_task_get_task_data (task));
      g_task_return_int (task, count);
      return;
    }

  wstream_default_writer_wait_ready_async (self->writer, cancellable, write_ready_cb,
                                           g_steal_pointer (&task));
}

static gssize
wstream_output_stream_write_finish (GOutputStream  *stream,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
wstream_output_stream_flush_async (GOutputStream       *stream,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (stream);
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  double desired_size;

  WSTREAM_RETURN_IF_WRONG_THREAD (self->stream->jobs);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wstream_output_stream_flush_async);
  g_task_set_priority (task, io_priority);

  if (!get_desired_size (self, &desired_size, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (self->pending_writes == 0)
    g_task_return_boolean (task, TRUE);
  else
    g_queue_push_tail (&self->flush_tasks, g_steal_pointer (&task));
}

static gboolean
wstream_output_stream_flush_finish (GOutputStream  *stream,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
close_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
wstream_output_stream_close_async (GOutputStream       *stream,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (stream);
  g_autoptr (GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wstream_output_stream_close_async);
  g_task_set_priority (task, io_priority);

  if (self->writer == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  WSTREAM_RETURN_IF_WRONG_THREAD (self->stream->jobs);

  /* The close waits for every queued write; cancelling only stops the wait
   * (the writable stream closes anyway), as for any wstream operation. */
  close_writer (self, cancellable, close_cb, g_steal_pointer (&task));
}

static gboolean
wstream_output_stream_close_finish (GOutputStream  *stream,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GPollableOutputStream */

static gboolean
wstream_output_stream_can_poll (GPollableOutputStream *stream)
{
  return TRUE;
}

static gboolean
wstream_output_stream_is_writable (GPollableOutputStream *stream)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (stream);
  double desired_size;

  /* An error counts as writable: the write reports it without blocking. */
  if (!get_desired_size (self, &desired_size, NULL))
    return TRUE;
  return desired_size > 0;
}

static gssize
wstream_output_stream_write_nonblocking (GPollableOutputStream  *stream,
                                         const void             *buffer,
                                         gsize                   count,
                                         GError                **error)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (stream);
  g_autoptr (GBytes) bytes = NULL;
  double desired_size;

  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->stream->jobs, -1);

  if (!get_desired_size (self, &desired_size, error))
    return -1;
  if (count == 0)
    return 0;
  if (desired_size <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "The writable stream applies backpressure");
      return -1;
    }

  bytes = g_bytes_new (buffer, count);
  queue_write (self, bytes);
  return count;
}

/* A source that is ready while the output stream is writable. The stream's
 * state changes only from callbacks on the same main context, so checking
 * it before each poll is enough. */
typedef struct {
  GSource              source;
  WStreamOutputStream *stream;
} WritableSource;

static gboolean
writable_source_prepare (GSource *source,
                         int     *timeout)
{
  WritableSource *self = (WritableSource *) source;

  *timeout = -1;
  return wstream_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (self->stream));
}

static gboolean
writable_source_check (GSource *source)
{
  int timeout;

  return writable_source_prepare (source, &timeout);
}

/* A child of the GPollableSource, without a callback of its own: its being
 * ready makes the parent dispatch the caller's callback. */
static gboolean
writable_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
writable_source_finalize (GSource *source)
{
  WritableSource *self = (WritableSource *) source;

  g_clear_object (&self->stream);
}

static GSourceFuncs writable_source_funcs = {
  .prepare = writable_source_prepare,
  .check = writable_source_check,
  .dispatch = writable_source_dispatch,
  .finalize = writable_source_finalize,
};

static GSource *
wstream_output_stream_create_source (GPollableOutputStream *stream,
                                     GCancellable          *cancellable)
{
  WritableSource *writable;
  GSource *source;

  writable = (WritableSource *) g_source_new (&writable_source_funcs, sizeof (WritableSource));
  g_source_set_static_name (&writable->source, "[wstream] output stream writable");
  writable->stream = g_object_ref (WSTREAM_OUTPUT_STREAM (stream));

  source = g_pollable_source_new_full (stream, NULL, cancellable);
  g_source_add_child_source (source, &writable->source);
  g_source_unref (&writable->source);
  return source;
}

static void
wstream_output_stream_pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = wstream_output_stream_can_poll;
  iface->is_writable = wstream_output_stream_is_writable;
  iface->create_source = wstream_output_stream_create_source;
  iface->write_nonblocking = wstream_output_stream_write_nonblocking;
}

/* GInitable */

static gboolean
wstream_output_stream_initable_init (GInitable     *initable,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (initable);

  if (self->writer != NULL)
    return TRUE;
  if (self->stream == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "A WStreamOutputStream needs a writable stream");
      return FALSE;
    }
  self->writer = wstream_writable_stream_get_writer (self->stream, error);
  return self->writer != NULL;
}

static void
wstream_output_stream_initable_iface_init (GInitableIface *iface)
{
  iface->init = wstream_output_stream_initable_init;
}

/* GObject */

static void
wstream_output_stream_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wstream_output_stream_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      self->stream = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wstream_output_stream_finalize (GObject *object)
{
  WStreamOutputStream *self = WSTREAM_OUTPUT_STREAM (object);

  /* Pending writes and flushes hold references: nothing can be left. */
  g_assert (g_queue_is_empty (&self->flush_tasks));
  if (self->writer != NULL)
    {
      /* Not closed (a failed init, or a close that was never run). */
      wstream_default_writer_release_lock (self->writer);
      g_clear_object (&self->writer);
    }
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (wstream_output_stream_parent_class)->finalize (object);
}

static void
wstream_output_stream_class_init (WStreamOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->get_property = wstream_output_stream_get_property;
  object_class->set_property = wstream_output_stream_set_property;
  object_class->finalize = wstream_output_stream_finalize;

  stream_class->write_fn = wstream_output_stream_write;
  stream_class->flush = wstream_output_stream_flush;
  stream_class->close_fn = wstream_output_stream_close;
  stream_class->write_async = wstream_output_stream_write_async;
  stream_class->write_finish = wstream_output_stream_write_finish;
  stream_class->flush_async = wstream_output_stream_flush_async;
  stream_class->flush_finish = wstream_output_stream_flush_finish;
  stream_class->close_async = wstream_output_stream_close_async;
  stream_class->close_finish = wstream_output_stream_close_finish;

  /**
   * WStreamOutputStream:stream:
   *
   * The writable stream the output stream writes into.
   */
  properties[PROP_STREAM] =
    g_param_spec_object ("stream", NULL, NULL,
                         WSTREAM_TYPE_WRITABLE_STREAM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wstream_output_stream_init (WStreamOutputStream *self)
{
  g_queue_init (&self->flush_tasks);
}

/**
 * wstream_output_stream_new:
 * @stream: the writable stream to write into
 * @error: return location for an error
 *
 * Makes a #GOutputStream that writes into @stream, and locks @stream to a
 * writer of its own until the output stream is closed.
 *
 * Returns: (transfer full) (type WStreamOutputStream): a new
 *   #WStreamOutputStream, or %NULL with %WSTREAM_ERROR_LOCKED if @stream is
 *   locked already
 */
GOutputStream *
wstream_output_stream_new (WStreamWritableStream  *stream,
                           GError                **error)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (stream), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (WSTREAM_TYPE_OUTPUT_STREAM, NULL, error, "stream", stream, NULL);
}

/**
 * wstream_output_stream_get_stream:
 * @self: a #WStreamOutputStream
 *
 * The writable stream @self writes into.
 *
 * Returns: (transfer none): the writable stream
 */
WStreamWritableStream *
wstream_output_stream_get_stream (WStreamOutputStream *self)
{
  g_return_val_if_fail (WSTREAM_IS_OUTPUT_STREAM (self), NULL);

  return self->stream;
}
