/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wstream-private.h"
#include "wstream-output-stream-sink.h"

/**
 * WStreamOutputStreamSink:
 *
 * A #WStreamSink that writes into a [class@Gio.OutputStream]: put a
 * #WStreamWritableStream in front of a file, a socket, a pipe or any other
 * GIO stream. [ctor@WStream.WritableStream.new_for_output_stream] makes the
 * sink and the stream in one call.
 *
 * - **Chunks** may be #GBytes, #GByteArray, #GString or strings (the bytes
 *   of the string, without its terminating nul). A chunk of any other type
 *   (or a %NULL one) fails its write with %WSTREAM_ERROR_INVALID_CHUNK_TYPE,
 *   which errors the stream. An empty chunk succeeds without touching the
 *   base stream.
 * - **Writes** go out one chunk at a time; a write succeeds once the whole
 *   chunk is written. How depends on the base stream:
 *   - a [iface@Gio.PollableOutputStream] that can poll (a pipe, a socket,
 *     a #GMemoryOutputStream): the sink first writes with
 *     [method@Gio.PollableOutputStream.writev_nonblocking], inside the write
 *     call; when the whole chunk goes out at once, the write is finished
 *     without a main-loop round trip. On %G_IO_ERROR_WOULD_BLOCK or a
 *     partial write, the rest is written with
 *     [method@Gio.OutputStream.write_all_async] as below. (A pipe or
 *     terminal whose file descriptor is in blocking mode, such as a
 *     #GSubprocess pipe or standard output, may still block in such a write
 *     once it reported it can take data: GIO's own asynchronous writes to
 *     it do the same, see [method@Gio.PollableOutputStream.write_nonblocking].)
 *   - any other stream (a regular file from [method@Gio.File.replace], for
 *     instance): [method@Gio.OutputStream.write_all_async] with the sink's
 *     [property@WStream.OutputStreamSink:io-priority], which for a local
 *     file runs each write in a GIO worker thread. With
 *     [property@WStream.OutputStreamSink:blocking-writes] set, the sink
 *     writes with [method@Gio.OutputStream.write_all] inside the write
 *     call instead, for any base stream.
 *
 *   The sink keeps a reference to the chunk's data (a copy for strings)
 *   until its write finishes.
 * - **Close** closes the base stream with
 *   [method@Gio.OutputStream.close_async]; with
 *   [property@WStream.OutputStreamSink:close-base-stream] unset, it flushes
 *   it instead and leaves it open.
 * - **Abort** cancels the write in flight (through the controller's
 *   cancellable, [method@WStream.DefaultController.get_cancellable]) and
 *   then closes the base stream, unless
 *   [property@WStream.OutputStreamSink:close-base-stream] is unset. A write
 *   cancelled this way fails with the abort reason rather than
 *   %G_IO_ERROR_CANCELLED, as a fetch aborted by a signal does in the web
 *   platform. The close is made with that (cancelled) cancellable, which is
 *   how GIO closes a stream without committing it: the file descriptor is
 *   closed all the same, but a stream from [method@Gio.File.replace] leaves
 *   the original file in place instead of replacing it with a partial copy.
 *   The %G_IO_ERROR_CANCELLED that such a close reports is not an error of
 *   the abort; any other close error rejects the abort.
 * - **Errors** of the base stream are passed on unchanged: a failed write
 *   errors the stream with the #GError of [method@Gio.OutputStream.write_all_finish]
 *   (domain and code included), and a failed close rejects the close.
 *
 * A write that fails does not close the base stream: the stream is errored
 * and nothing more is written, and the base stream is closed when the sink
 * is finalized (as a #GOutputStream closes itself when it is disposed).
 *
 * The sink starts by checking that the base stream is not closed already;
 * making a stream over a closed #GOutputStream fails with
 * %G_IO_ERROR_CLOSED.
 *
 * Every asynchronous operation holds references to the sink, the base
 * stream and its data until it finishes, so the stream and the sink may be
 * dropped at any time.
 */

struct _WStreamOutputStreamSink
{
  GObject parent_instance;

  GOutputStream *base_stream;
  int            io_priority;
  gboolean       close_base_stream;
  gboolean       blocking_writes;
  gboolean       pollable;      /* base_stream is a pollable stream that can poll */
};

enum {
  PROP_0,
  PROP_BASE_STREAM,
  PROP_IO_PRIORITY,
  PROP_CLOSE_BASE_STREAM,
  PROP_BLOCKING_WRITES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void wstream_output_stream_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WStreamOutputStreamSink, wstream_output_stream_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK,
                                                      wstream_output_stream_sink_iface_init))

/* One asynchronous operation on the base stream. */
typedef struct {
  WStreamOutputStreamSink  *sink;
  WStreamDefaultController *controller;
  WStreamPromise           *promise;
  GBytes                   *bytes;      /* the data of a write */
} Operation;

static Operation *
operation_new (WStreamOutputStreamSink  *sink,
               WStreamDefaultController *controller,
               GBytes                   *bytes)
{
  Operation *op = g_new0 (Operation, 1);

  op->sink = g_object_ref (sink);
  op->controller = g_object_ref (controller);
  op->promise = wstream_default_controller_defer (controller);
  op->bytes = bytes;
  return op;
}

static void
operation_free (Operation *op)
{
  g_clear_object (&op->sink);
  g_clear_object (&op->controller);
  g_clear_object (&op->promise);
  g_clear_pointer (&op->bytes, g_bytes_unref);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Operation, operation_free)

/* The data of a chunk, without copying where the type allows it. */
static GBytes *
chunk_to_bytes (const GValue  *chunk,
                GError       **error)
{
  GType type = G_VALUE_TYPE (chunk);

  if (type == G_TYPE_BYTES && g_value_get_boxed (chunk) != NULL)
    return g_bytes_ref (g_value_get_boxed (chunk));

  if (type == G_TYPE_BYTE_ARRAY && g_value_get_boxed (chunk) != NULL)
    {
      GByteArray *array = g_value_get_boxed (chunk);

      return g_bytes_new_with_free_func (array->data, array->len,
                                         (GDestroyNotify) g_byte_array_unref,
                                         g_byte_array_ref (array));
    }

  if (type == G_TYPE_GSTRING && g_value_get_boxed (chunk) != NULL)
    {
      GString *string = g_value_get_boxed (chunk);

      return g_bytes_new (string->str, string->len);
    }

  if (type == G_TYPE_STRING && g_value_get_string (chunk) != NULL)
    {
      const char *string = g_value_get_string (chunk);

      return g_bytes_new (string, strlen (string));
    }

  g_set_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_CHUNK_TYPE,
               "A stream over a GOutputStream takes GBytes, GByteArray, GString or "
               "string chunks, not %s%s",
               g_type_name (type),
               G_VALUE_HOLDS_BOXED (chunk) || G_VALUE_HOLDS_STRING (chunk) ? " (NULL)" : "");
  return NULL;
}

static gboolean
wstream_output_stream_sink_start (WStreamSink               *sink,
                                  WStreamDefaultController  *controller,
                                  GError                   **error)
{
  WStreamOutputStreamSink *self = WSTREAM_OUTPUT_STREAM_SINK (sink);

  if (g_output_stream_is_closed (self->base_stream))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "The base stream of the sink is already closed");
      return FALSE;
    }
  return TRUE;
}

/* A write cancelled by abort fails with the abort reason. */
static const GError *
write_error (WStreamDefaultController *controller,
             const GError             *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      wstream_default_controller_get_abort_reason (controller) != NULL)
    return wstream_default_controller_get_abort_reason (controller);
  return error;
}

static void
write_all_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (Operation) op = user_data;
  g_autoptr (GError) error = NULL;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    wstream_promise_resolve (op->promise, NULL);
  else
    wstream_promise_reject (op->promise, write_error (op->controller, error));
}

/* Writes as much of @data as the base stream takes without blocking.
 * Returns FALSE on an error other than G_IO_ERROR_WOULD_BLOCK. (writev:
 * GUnixOutputStream's writev_nonblocking makes one poll() and one writev(),
 * where its write_nonblocking polls twice.) */
static gboolean
write_nonblocking (WStreamOutputStreamSink  *self,
                   const guint8             *data,
                   gsize                     size,
                   gsize                    *written,
                   GCancellable             *cancellable,
                   GError                  **error)
{
  GPollableOutputStream *pollable = G_POLLABLE_OUTPUT_STREAM (self->base_stream);

  *written = 0;
  while (*written < size)
    {
      g_autoptr (GError) local_error = NULL;
      GOutputVector vector = { data + *written, size - *written };
      GPollableReturn ret;
      gsize n = 0;

      ret = g_pollable_output_stream_writev_nonblocking (pollable, &vector, 1, &n, cancellable,
                                                         &local_error);
      if (ret == G_POLLABLE_RETURN_WOULD_BLOCK ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (ret == G_POLLABLE_RETURN_FAILED)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (n == 0)
        break;
      *written += n;
    }
  return TRUE;
}

static gboolean
wstream_output_stream_sink_write (WStreamSink               *sink,
                                  const GValue              *chunk,
                                  WStreamDefaultController  *controller,
                                  GError                   **error)
{
  WStreamOutputStreamSink *self = WSTREAM_OUTPUT_STREAM_SINK (sink);
  GCancellable *cancellable;
  GBytes *bytes;
  Operation *op;
  gconstpointer data;
  gsize size, written = 0;

  bytes = chunk_to_bytes (chunk, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      g_bytes_unref (bytes);
      return TRUE;
    }

  cancellable = wstream_default_controller_get_cancellable (controller);

  /* No cancellable: nothing on this thread can cancel a blocking write
   * while it runs, and a cancellable costs GUnixOutputStream an eventfd
   * made and closed for each write. */
  if (self->blocking_writes)
    {
      gboolean ok = g_output_stream_write_all (self->base_stream, data, size, NULL, NULL, error);

      g_bytes_unref (bytes);
      return ok;
    }

  /* A pollable stream: finish now when the whole chunk goes out at once,
   * else write the rest asynchronously. */
  if (self->pollable)
    {
      g_autoptr (GError) local_error = NULL;

      if (!write_nonblocking (self, data, size, &written, cancellable, &local_error))
        {
          g_bytes_unref (bytes);
          g_propagate_error (error, g_error_copy (write_error (controller, local_error)));
          return FALSE;
        }
      if (written == size)
        {
          g_bytes_unref (bytes);
          return TRUE;
        }
    }

  op = operation_new (self, controller, bytes);
  g_output_stream_write_all_async (self->base_stream, (const guint8 *) data + written,
                                   size - written, self->io_priority, cancellable,
                                   write_all_cb, op);
  return TRUE;
}

static void
close_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (Operation) op = user_data;
  g_autoptr (GError) error = NULL;

  if (g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    wstream_promise_resolve (op->promise, NULL);
  else
    wstream_promise_reject (op->promise, error);
}

/* Closing with a cancelled cancellable is GIO's way to close without
 * committing (a g_file_replace() stream keeps the original file): the
 * cancellation it reports is how such a close succeeds. */
static void
abort_close_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (Operation) op = user_data;
  g_autoptr (GError) error = NULL;

  if (g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    wstream_promise_resolve (op->promise, NULL);
  else
    wstream_promise_reject (op->promise, error);
}

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (Operation) op = user_data;
  g_autoptr (GError) error = NULL;

  if (g_output_stream_flush_finish (G_OUTPUT_STREAM (source), result, &error))
    wstream_promise_resolve (op->promise, NULL);
  else
    wstream_promise_reject (op->promise, error);
}

static gboolean
wstream_output_stream_sink_close (WStreamSink               *sink,
                                  WStreamDefaultController  *controller,
                                  GError                   **error)
{
  WStreamOutputStreamSink *self = WSTREAM_OUTPUT_STREAM_SINK (sink);
  Operation *op = operation_new (self, controller, NULL);

  if (self->close_base_stream)
    g_output_stream_close_async (self->base_stream, self->io_priority, NULL, close_cb, op);
  else
    g_output_stream_flush_async (self->base_stream, self->io_priority, NULL, flush_cb, op);
  return TRUE;
}

static gboolean
wstream_output_stream_sink_abort (WStreamSink               *sink,
                                  const GError              *reason,
                                  WStreamDefaultController  *controller,
                                  GError                   **error)
{
  WStreamOutputStreamSink *self = WSTREAM_OUTPUT_STREAM_SINK (sink);

  /* The write in flight, if any, was cancelled through the controller's
   * cancellable and has finished: the stream calls abort only then. The
   * close uses that cancellable too, which is cancelled by now: the base
   * stream is closed without committing what was written. */
  if (self->close_base_stream)
    g_output_stream_close_async (self->base_stream, self->io_priority,
                                 wstream_default_controller_get_cancellable (controller),
                                 abort_close_cb, operation_new (self, controller, NULL));
  return TRUE;
}

static void
wstream_output_stream_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->start = wstream_output_stream_sink_start;
  iface->write = wstream_output_stream_sink_write;
  iface->close = wstream_output_stream_sink_close;
  iface->abort = wstream_output_stream_sink_abort;
}

static void
wstream_output_stream_sink_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  WStreamOutputStreamSink *self = WSTREAM_OUTPUT_STREAM_SINK (object);

  switch (prop_id)
    {
    case PROP_BASE_STREAM:
      g_value_set_object (value, self->base_stream);
      break;
    case PROP_IO_PRIORITY:
      g_value_set_int (value, self->io_priority);
      break;
    case PROP_CLOSE_BASE_STREAM:
      g_value_set_boolean (value, self->close_base_stream);
      break;
    case PROP_BLOCKING_WRITES:
      g_value_set_boolean (value, self->blocking_writes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wstream_output_stream_sink_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  WStreamOutputStreamSink *self = WSTREAM_OUTPUT_STREAM_SINK (object);

  switch (prop_id)
    {
    case PROP_BASE_STREAM:
      self->base_stream = g_value_dup_object (value);
      break;
    case PROP_IO_PRIORITY:
      wstream_output_stream_sink_set_io_priority (self, g_value_get_int (value));
      break;
    case PROP_CLOSE_BASE_STREAM:
      wstream_output_stream_sink_set_close_base_stream (self, g_value_get_boolean (value));
      break;
    case PROP_BLOCKING_WRITES:
      wstream_output_stream_sink_set_blocking_writes (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wstream_output_stream_sink_constructed (GObject *object)
{
  WStreamOutputStreamSink *self = WSTREAM_OUTPUT_STREAM_SINK (object);

  G_OBJECT_CLASS (wstream_output_stream_sink_parent_class)->constructed (object);

  g_assert (G_IS_OUTPUT_STREAM (self->base_stream));
  self->pollable = G_IS_POLLABLE_OUTPUT_STREAM (self->base_stream) &&
                   g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (self->base_stream));
}

static void
wstream_output_stream_sink_finalize (GObject *object)
{
  WStreamOutputStreamSink *self = WSTREAM_OUTPUT_STREAM_SINK (object);

  g_clear_object (&self->base_stream);

  G_OBJECT_CLASS (wstream_output_stream_sink_parent_class)->finalize (object);
}

static void
wstream_output_stream_sink_class_init (WStreamOutputStreamSinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = wstream_output_stream_sink_get_property;
  object_class->set_property = wstream_output_stream_sink_set_property;
  object_class->constructed = wstream_output_stream_sink_constructed;
  object_class->finalize = wstream_output_stream_sink_finalize;

  /**
   * WStreamOutputStreamSink:base-stream:
   *
   * The #GOutputStream the sink writes into.
   */
  properties[PROP_BASE_STREAM] =
    g_param_spec_object ("base-stream", NULL, NULL,
                         G_TYPE_OUTPUT_STREAM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WStreamOutputStreamSink:io-priority:
   *
   * The I/O priority of the sink's operations on the base stream (see
   * [method@Gio.OutputStream.write_all_async]). A change applies to the
   * operations that start after it.
   */
  properties[PROP_IO_PRIORITY] =
    g_param_spec_int ("io-priority", NULL, NULL,
                      G_MININT, G_MAXINT, G_PRIORITY_DEFAULT,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS);

  /**
   * WStreamOutputStreamSink:close-base-stream:
   *
   * Whether closing or aborting the stream closes the base stream. When
   * unset, a close flushes the base stream and leaves it open, and an abort
   * only cancels the write in flight: useful for a base stream that the
   * program keeps using, such as standard output.
   */
  properties[PROP_CLOSE_BASE_STREAM] =
    g_param_spec_boolean ("close-base-stream", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * WStreamOutputStreamSink:blocking-writes:
   *
   * Whether the sink writes each chunk with the synchronous
   * [method@Gio.OutputStream.write_all], inside the write call, rather than
   * asynchronously. Unset by default.
   *
   * For a base stream that is not pollable, such as a regular file, each
   * asynchronous write runs in a GIO worker thread; the hand-off to that
   * thread and back costs about as much as writing 64 KiB into the page
   * cache, so a large copy into a local file is much faster with blocking
   * writes. The price is that the main context does nothing else while a
   * write runs, which for a file on a slow or remote disk (or one the
   * kernel is throttling while it writes dirty pages back) can be a long
   * time. Set it where that is acceptable: a command-line tool, a worker
   * thread with its own main context, a file on a fast local disk.
   *
   * A change applies to the writes that start after it. A blocking write
   * cannot be interrupted: an abort waits for it as for any write in flight.
   */
  properties[PROP_BLOCKING_WRITES] =
    g_param_spec_boolean ("blocking-writes", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wstream_output_stream_sink_init (WStreamOutputStreamSink *self)
{
  self->io_priority = G_PRIORITY_DEFAULT;
  self->close_base_stream = TRUE;
}

/**
 * wstream_output_stream_sink_new:
 * @base_stream: the stream to write into
 *
 * Makes a sink that writes the chunks of a #WStreamWritableStream into
 * @base_stream. Give it to [ctor@WStream.WritableStream.new], or use
 * [ctor@WStream.WritableStream.new_for_output_stream] to do both at once.
 *
 * Returns: (transfer full): a new #WStreamOutputStreamSink
 */
WStreamOutputStreamSink *
wstream_output_stream_sink_new (GOutputStream *base_stream)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base_stream), NULL);

  return g_object_new (WSTREAM_TYPE_OUTPUT_STREAM_SINK, "base-stream", base_stream, NULL);
}

/**
 * wstream_output_stream_sink_get_base_stream:
 * @self: a #WStreamOutputStreamSink
 *
 * The stream @self writes into.
 *
 * Returns: (transfer none): the base stream
 */
GOutputStream *
wstream_output_stream_sink_get_base_stream (WStreamOutputStreamSink *self)
{
  g_return_val_if_fail (WSTREAM_IS_OUTPUT_STREAM_SINK (self), NULL);

  return self->base_stream;
}

/**
 * wstream_output_stream_sink_get_io_priority:
 * @self: a #WStreamOutputStreamSink
 *
 * The I/O priority of the operations on the base stream.
 *
 * Returns: the I/O priority
 */
int
wstream_output_stream_sink_get_io_priority (WStreamOutputStreamSink *self)
{
  g_return_val_if_fail (WSTREAM_IS_OUTPUT_STREAM_SINK (self), G_PRIORITY_DEFAULT);

  return self->io_priority;
}

/**
 * wstream_output_stream_sink_set_io_priority:
 * @self: a #WStreamOutputStreamSink
 * @io_priority: the I/O priority, such as %G_PRIORITY_DEFAULT
 *
 * Sets the I/O priority of the operations on the base stream that start
 * from now on.
 */
void
wstream_output_stream_sink_set_io_priority (WStreamOutputStreamSink *self,
                                            int                      io_priority)
{
  g_return_if_fail (WSTREAM_IS_OUTPUT_STREAM_SINK (self));

  if (self->io_priority == io_priority)
    return;
  self->io_priority = io_priority;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IO_PRIORITY]);
}

/**
 * wstream_output_stream_sink_get_close_base_stream:
 * @self: a #WStreamOutputStreamSink
 *
 * Whether closing or aborting the stream closes the base stream.
 *
 * Returns: %TRUE if the base stream is closed with the stream
 */
gboolean
wstream_output_stream_sink_get_close_base_stream (WStreamOutputStreamSink *self)
{
  g_return_val_if_fail (WSTREAM_IS_OUTPUT_STREAM_SINK (self), FALSE);

  return self->close_base_stream;
}

/**
 * wstream_output_stream_sink_set_close_base_stream:
 * @self: a #WStreamOutputStreamSink
 * @close_base_stream: whether to close the base stream with the stream
 *
 * Sets whether closing or aborting the stream closes the base stream; see
 * [property@WStream.OutputStreamSink:close-base-stream].
 */
void
wstream_output_stream_sink_set_close_base_stream (WStreamOutputStreamSink *self,
                                                  gboolean                 close_base_stream)
{
  g_return_if_fail (WSTREAM_IS_OUTPUT_STREAM_SINK (self));

  close_base_stream = !!close_base_stream;
  if (self->close_base_stream == close_base_stream)
    return;
  self->close_base_stream = close_base_stream;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOSE_BASE_STREAM]);
}

/**
 * wstream_output_stream_sink_get_blocking_writes:
 * @self: a #WStreamOutputStreamSink
 *
 * Whether the sink writes synchronously; see
 * [property@WStream.OutputStreamSink:blocking-writes].
 *
 * Returns: %TRUE if each chunk is written with [method@Gio.OutputStream.write_all]
 */
gboolean
wstream_output_stream_sink_get_blocking_writes (WStreamOutputStreamSink *self)
{
  g_return_val_if_fail (WSTREAM_IS_OUTPUT_STREAM_SINK (self), FALSE);

  return self->blocking_writes;
}

/**
 * wstream_output_stream_sink_set_blocking_writes:
 * @self: a #WStreamOutputStreamSink
 * @blocking_writes: whether to write each chunk synchronously
 *
 * Sets whether the sink writes each chunk with the synchronous
 * [method@Gio.OutputStream.write_all], inside the write call; see
 * [property@WStream.OutputStreamSink:blocking-writes] for when that pays.
 */
void
wstream_output_stream_sink_set_blocking_writes (WStreamOutputStreamSink *self,
                                                gboolean                 blocking_writes)
{
  g_return_if_fail (WSTREAM_IS_OUTPUT_STREAM_SINK (self));

  blocking_writes = !!blocking_writes;
  if (self->blocking_writes == blocking_writes)
    return;
  self->blocking_writes = blocking_writes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCKING_WRITES]);
}

/**
 * wstream_writable_stream_new_for_output_stream:
 * @base_stream: the stream to write into
 * @strategy: (nullable): the queuing strategy; %NULL for a count strategy
 *   with a high-water mark of 1, as for [ctor@WStream.WritableStream.new]
 * @error: return location for an error
 *
 * Makes a writable stream whose chunks go into @base_stream, through a
 * #WStreamOutputStreamSink: chunks are #GBytes, #GByteArray, #GString or
 * strings, closing the stream closes @base_stream, aborting it cancels the
 * write in flight and closes @base_stream, and a GIO error becomes the
 * stream's error unchanged. A byte-length strategy
 * ([ctor@WStream.QueuingStrategy.new_byte_length]) bounds the memory the
 * queue may hold.
 *
 * Returns: (transfer full): a new #WStreamWritableStream, or %NULL with
 *   @error set if @strategy is invalid or @base_stream is closed
 */
WStreamWritableStream *
wstream_writable_stream_new_for_output_stream (GOutputStream           *base_stream,
                                               WStreamQueuingStrategy  *strategy,
                                               GError                 **error)
{
  g_autoptr (WStreamOutputStreamSink) sink = NULL;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base_stream), NULL);
  g_return_val_if_fail (strategy == NULL || WSTREAM_IS_QUEUING_STRATEGY (strategy), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sink = wstream_output_stream_sink_new (base_stream);
  return wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, error);
}
