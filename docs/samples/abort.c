/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Aborting a stream while the sink is writing: what happens, in order. */
#include <wstream.h>

#define SLOW_TYPE_SINK (slow_sink_get_type ())
G_DECLARE_FINAL_TYPE (SlowSink, slow_sink, SLOW, SINK, GObject)

struct _SlowSink
{
  GObject parent_instance;
};

static void slow_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SlowSink, slow_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, slow_sink_iface_init))

static gboolean
finish_write (gpointer user_data)
{
  g_print ("sink: write finished\n");
  wstream_promise_resolve (user_data, NULL);
  return G_SOURCE_REMOVE;
}

static void
signal_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  /* The Standard's controller.signal fires inside the abort call. */
  g_print ("sink: the abort signal fired\n");
}

static gboolean
slow_sink_start (WStreamSink               *sink,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  g_signal_connect (wstream_default_controller_get_cancellable (controller), "cancelled",
                    G_CALLBACK (signal_cancelled), NULL);
  return TRUE;
}

static gboolean
slow_sink_write (WStreamSink               *sink,
                 const GValue              *chunk,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  g_print ("sink: writing %s\n", g_value_get_string (chunk));
  g_timeout_add_full (G_PRIORITY_DEFAULT, 10, finish_write,
                      wstream_default_controller_defer (controller), g_object_unref);
  return TRUE;
}

static gboolean
slow_sink_abort (WStreamSink               *sink,
                 const GError              *reason,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  /* Runs once the write in flight settled; the queued chunks are gone. */
  g_print ("sink: abort (%s)\n", reason->message);
  return TRUE;
}

static void
slow_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->start = slow_sink_start;
  iface->write = slow_sink_write;
  iface->abort = slow_sink_abort;
}

static void
slow_sink_class_init (SlowSinkClass *klass)
{
}

static void
slow_sink_init (SlowSink *self)
{
}

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_print ("write %s: done\n", (const char *) user_data);
  else
    g_print ("write %s: failed: %s\n", (const char *) user_data, error->message);
}

static void
abort_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_abort_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_print ("abort: done\n");
  else
    g_print ("abort: failed: %s\n", error->message);
}

static void
closed_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!wstream_default_writer_wait_closed_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_print ("closed promise: rejected: %s\n", error->message);
  g_main_loop_quit (user_data);
}

static void
write_string (WStreamDefaultWriter *writer,
              const char           *text)
{
  g_auto (GValue) chunk = G_VALUE_INIT;

  g_value_init (&chunk, G_TYPE_STRING);
  g_value_set_static_string (&chunk, text);
  wstream_default_writer_write_async (writer, &chunk, NULL, write_done, (gpointer) text);
}

static void
ready_then_abort (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WStreamDefaultWriter *writer = WSTREAM_DEFAULT_WRITER (source);
  g_autoptr (GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   "the user pressed Stop");

  wstream_default_writer_wait_ready_finish (writer, result, NULL);
  write_string (writer, "first");    /* goes to the sink at once */
  write_string (writer, "second");   /* waits in the queue */
  g_print ("abort\n");
  wstream_default_writer_abort_async (writer, reason, NULL, abort_done, NULL);
  g_print ("abort_async returned\n");
}

int
main (void)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (SlowSink) sink = g_object_new (SLOW_TYPE_SINK, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;

  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  wstream_default_writer_wait_closed_async (writer, NULL, closed_done, loop);
  /* Once the stream started, ready is fulfilled. */
  wstream_default_writer_wait_ready_async (writer, NULL, ready_then_abort, NULL);

  g_main_loop_run (loop);
  return 0;
}
