/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wstream and GIO: a writable stream over a GOutputStream, a pipe from a
 * GInputStream, and a GOutputStream over a writable stream. */
#include <wstream.h>

static GMainLoop *loop;

static char *
contents_of (GMemoryOutputStream *memory)
{
  return g_strndup (g_memory_output_stream_get_data (memory),
                    g_memory_output_stream_get_data_size (memory));
}

/* docs-region: over-output-stream */
static void
closed (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GMemoryOutputStream *memory = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (!wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_error ("%s", error->message);
  text = contents_of (memory);
  g_print ("1. the output stream got \"%s\"\n", text);
  g_main_loop_quit (loop);
}

static void
write_to_output_stream (void)
{
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GBytes) bytes = g_bytes_new_static ("bytes, ", 7);
  g_auto (GValue) text = G_VALUE_INIT;

  /* Chunks may be GBytes, GByteArray, GString or strings. */
  stream = wstream_writable_stream_new_for_output_stream (memory, NULL, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  wstream_default_writer_write_bytes_async (writer, bytes, NULL, NULL, NULL);
  g_value_init (&text, G_TYPE_STRING);
  g_value_set_static_string (&text, "then a string");
  wstream_default_writer_write_async (writer, &text, NULL, NULL, NULL);
  /* Closing the writable stream closes the output stream. */
  wstream_default_writer_close_async (writer, NULL, closed, memory);
}
/* docs-region-end */

/* docs-region: pipe */
static void
piped (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  guint64 moved = 0;

  if (!wstream_writable_stream_pipe_from_input_stream_finish (WSTREAM_WRITABLE_STREAM (source),
                                                              result, &moved, &error))
    g_error ("%s", error->message);
  text = contents_of (user_data);
  g_print ("2. piped %" G_GUINT64_FORMAT " bytes: \"%s\"\n", moved, text);
  g_main_loop_quit (loop);
}

static void
pipe_input_stream (void)
{
  const char *data = "read in chunks of four bytes";
  g_autoptr (GInputStream) input = g_memory_input_stream_new_from_data (data, -1, NULL);
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_byte_length (8, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;

  stream = wstream_writable_stream_new_for_output_stream (memory, strategy, NULL);
  /* Reads of 4 bytes; waits while 8 bytes are queued; closes at the end. */
  wstream_writable_stream_pipe_from_input_stream_async (stream, input, WSTREAM_PIPE_FLAGS_NONE,
                                                        4, G_PRIORITY_DEFAULT, NULL,
                                                        piped, memory);
}
/* docs-region-end */

/* docs-region: output-stream */
static gboolean
shout (WStreamSink               *sink,
       const GValue              *chunk,
       WStreamDefaultController  *controller,
       GError                   **error)
{
  GBytes *bytes = g_value_get_boxed (chunk);   /* a WStreamOutputStream writes GBytes */
  g_autofree char *upper = g_ascii_strup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_print ("3. the sink got \"%s\"\n", upper);
  return TRUE;
}
/* docs-region-end */

#define SHOUT_TYPE_SINK (shout_sink_get_type ())
G_DECLARE_FINAL_TYPE (ShoutSink, shout_sink, SHOUT, SINK, GObject)
struct _ShoutSink { GObject parent_instance; };
static void shout_sink_iface_init (WStreamSinkInterface *iface) { iface->write = shout; }
G_DEFINE_FINAL_TYPE_WITH_CODE (ShoutSink, shout_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, shout_sink_iface_init))
static void shout_sink_class_init (ShoutSinkClass *klass) { }
static void shout_sink_init (ShoutSink *self) { }
/* docs-region: output-stream */

static void
output_closed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    g_error ("%s", error->message);
  g_print ("3. closed\n");
  g_main_loop_quit (loop);
}

static void
written (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_error ("%s", error->message);
  g_output_stream_close_async (G_OUTPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL,
                               output_closed, NULL);
}

static void
write_through_output_stream (void)
{
  g_autoptr (ShoutSink) sink = g_object_new (SHOUT_TYPE_SINK, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GOutputStream) output = NULL;
  static const char data[] = "any GIO code can write here";

  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  /* The output stream holds the stream's lock until it is closed. */
  output = wstream_output_stream_new (stream, NULL);
  g_output_stream_write_all_async (output, data, strlen (data), G_PRIORITY_DEFAULT, NULL,
                                   written, NULL);
}
/* docs-region-end */

int
main (void)
{
  loop = g_main_loop_new (NULL, FALSE);
  write_to_output_stream ();
  g_main_loop_run (loop);
  pipe_input_stream ();
  g_main_loop_run (loop);
  write_through_output_stream ();
  g_main_loop_run (loop);
  g_main_loop_unref (loop);
  return 0;
}
