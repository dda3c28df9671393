/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <wstream.h>

/* A sink: a GObject that implements WStreamSink. */
#define PRINT_TYPE_SINK (print_sink_get_type ())
G_DECLARE_FINAL_TYPE (PrintSink, print_sink, PRINT, SINK, GObject)
struct _PrintSink { GObject parent_instance; };

static gboolean
print_sink_write (WStreamSink *sink, const GValue *chunk,
                  WStreamDefaultController *controller, GError **error)
{
  g_print ("sink: %s\n", g_value_get_string (chunk));
  return TRUE;   /* done; FALSE with @error set would error the stream */
}

static void
print_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->write = print_sink_write;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (PrintSink, print_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, print_sink_iface_init))
static void print_sink_class_init (PrintSinkClass *klass) { }
static void print_sink_init (PrintSink *self) { }

static void
closed (GObject *writer, GAsyncResult *result, gpointer loop)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (writer), result, &error))
    g_print ("closed\n");
  else
    g_print ("failed: %s\n", error->message);
  g_main_loop_quit (loop);
}

int
main (void)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (PrintSink) sink = g_object_new (PRINT_TYPE_SINK, NULL);
  g_autoptr (WStreamWritableStream) stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);
  g_auto (GValue) chunk = G_VALUE_INIT;

  g_value_init (&chunk, G_TYPE_STRING);
  g_value_set_static_string (&chunk, "hello");
  wstream_default_writer_write_async (writer, &chunk, NULL, NULL, NULL);
  wstream_default_writer_close_async (writer, NULL, closed, loop);
  g_main_loop_run (loop);
  return 0;
}
