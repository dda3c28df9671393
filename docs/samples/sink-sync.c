/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A sink that finishes every operation at once: it prints string chunks. */
#include <wstream.h>

#define LINE_TYPE_SINK (line_sink_get_type ())
G_DECLARE_FINAL_TYPE (LineSink, line_sink, LINE, SINK, GObject)

struct _LineSink
{
  GObject parent_instance;
  guint   n_lines;
};

static void line_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LineSink, line_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, line_sink_iface_init))

static gboolean
line_sink_write (WStreamSink               *sink,
                 const GValue              *chunk,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  LineSink *self = LINE_SINK (sink);

  if (!G_VALUE_HOLDS_STRING (chunk))
    {
      /* Failing errors the stream: later writes fail with this error too. */
      g_set_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_CHUNK_TYPE,
                   "LineSink writes strings, not %s", G_VALUE_TYPE_NAME (chunk));
      return FALSE;
    }

  g_print ("%u: %s\n", ++self->n_lines, g_value_get_string (chunk));
  return TRUE;
}

static gboolean
line_sink_close (WStreamSink               *sink,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  g_print ("sink closed after %u lines\n", LINE_SINK (sink)->n_lines);
  return TRUE;
}

static void
line_sink_iface_init (WStreamSinkInterface *iface)
{
  /* start and abort are left NULL: a missing vfunc succeeds at once. */
  iface->write = line_sink_write;
  iface->close = line_sink_close;
}

static void
line_sink_class_init (LineSinkClass *klass)
{
}

static void
line_sink_init (LineSink *self)
{
}

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_print ("write %s done\n", (const char *) user_data);
  else
    g_print ("write %s failed: %s\n", (const char *) user_data, error->message);
}

static void
close_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_print ("stream closed\n");
  else
    g_print ("close failed: %s\n", error->message);
  g_main_loop_quit (user_data);
}

int
main (void)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (LineSink) sink = g_object_new (LINE_TYPE_SINK, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) error = NULL;
  const char *words[] = { "hello", "world" };

  /* No strategy: count chunks, high-water mark 1. */
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, &error);
  g_assert_no_error (error);
  writer = wstream_writable_stream_get_writer (stream, &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_auto (GValue) chunk = G_VALUE_INIT;

      g_value_init (&chunk, G_TYPE_STRING);
      g_value_set_static_string (&chunk, words[i]);
      /* The stream copies the chunk; ours can go out of scope. */
      wstream_default_writer_write_async (writer, &chunk, NULL, write_done, (gpointer) words[i]);
    }
  /* Nothing reached the sink yet: the stream finishes starting from the
   * main loop, and no callback ever runs inside the call that caused it. */
  g_print ("queued everything\n");

  wstream_default_writer_close_async (writer, NULL, close_done, loop);
  g_main_loop_run (loop);
  return 0;
}
