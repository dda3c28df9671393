/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seeds' three scenarios (MDN's getWriter() and releaseLock() pages and
 * the Cloudflare Workers page on WritableStreamDefaultWriter), written in C
 * with only <wstream.h>. The expected sequences are those of the same
 * scripts on Node (node-scenarios.mjs, "seed-*"). */
#include "test-util.h"

/* Seed 1: a sink that decodes bytes back into text; the writer encodes a
 * string and writes each byte as its own chunk, waiting for ready before
 * each write, then closes. */

#define DECODER_TYPE_SINK (decoder_sink_get_type ())
G_DECLARE_FINAL_TYPE (DecoderSink, decoder_sink, DECODER, SINK, GObject)

struct _DecoderSink
{
  GObject  parent_instance;
  GString *result;
};

static gboolean
decoder_sink_write (WStreamSink               *sink,
                    const GValue              *chunk,
                    WStreamDefaultController  *controller,
                    GError                   **error)
{
  DecoderSink *self = DECODER_SINK (sink);
  /* The JavaScript sink returns a promise that it resolves at once: defer
   * and resolve inside the call. */
  g_autoptr (WStreamPromise) promise = wstream_default_controller_defer (controller);
  GBytes *bytes = g_value_get_boxed (chunk);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpuint (len, ==, 1);
  log_event ("Chunk decoded: %c", data[0]);
  g_string_append_c (self->result, data[0]);
  wstream_promise_resolve (promise, NULL);
  return TRUE;
}

static gboolean
decoder_sink_close (WStreamSink               *sink,
                    WStreamDefaultController  *controller,
                    GError                   **error)
{
  log_event ("[MESSAGE RECEIVED] %s", DECODER_SINK (sink)->result->str);
  return TRUE;
}

static gboolean
decoder_sink_abort (WStreamSink               *sink,
                    const GError              *reason,
                    WStreamDefaultController  *controller,
                    GError                   **error)
{
  log_event ("Sink error: %s", reason->message);
  return TRUE;
}

static void
decoder_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->write = decoder_sink_write;
  iface->close = decoder_sink_close;
  iface->abort = decoder_sink_abort;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (DecoderSink, decoder_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, decoder_sink_iface_init))

static void
decoder_sink_finalize (GObject *object)
{
  g_string_free (DECODER_SINK (object)->result, TRUE);
  G_OBJECT_CLASS (decoder_sink_parent_class)->finalize (object);
}

static void
decoder_sink_class_init (DecoderSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = decoder_sink_finalize;
}

static void
decoder_sink_init (DecoderSink *self)
{
  self->result = g_string_new (NULL);
}

typedef struct {
  WStreamDefaultWriter *writer;
  GBytes               *chunk;
} SendByte;

static void
chunk_written_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    log_event ("Chunk written to sink.");
  else
    log_event ("Chunk error: %s", error->message);
}

static void
ready_then_write_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SendByte *send = user_data;
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_wait_ready_finish (send->writer, result, &error))
    wstream_default_writer_write_bytes_async (send->writer, send->chunk, NULL, chunk_written_cb, NULL);
  else
    log_event ("Chunk error: %s", error->message);
  g_bytes_unref (send->chunk);
  g_free (send);
}

static void
ready_then_close_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  WStreamDefaultWriter *writer = WSTREAM_DEFAULT_WRITER (source);
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_wait_ready_finish (writer, result, &error))
    {
      /* As the seed: close() is called, not waited for. */
      wstream_default_writer_close_async (writer, NULL, NULL, NULL);
      log_event ("All chunks written");
    }
  else
    log_event ("Stream error: %s", error->message);
}

static void
send_message (const char            *message,
              WStreamWritableStream *stream)
{
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);

  for (const char *p = message; *p; p++)
    {
      SendByte *send = g_new (SendByte, 1);

      send->writer = writer;
      send->chunk = g_bytes_new (p, 1);
      wstream_default_writer_wait_ready_async (writer, NULL, ready_then_write_cb, send);
    }
  wstream_default_writer_wait_ready_async (writer, NULL, ready_then_close_cb, NULL);
}

static void
test_send_message (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (1, &error);
  g_autoptr (DecoderSink) sink = g_object_new (DECODER_TYPE_SINK, NULL);
  g_autoptr (WStreamWritableStream) stream =
    wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);

  g_assert_no_error (error);
  log_reset ();
  send_message ("Hi, you.", stream);
  run_until_idle ();
  assert_log ("Chunk decoded: H", "All chunks written", "Chunk decoded: i", "Chunk written to sink.",
              "Chunk decoded: ,", "Chunk written to sink.", "Chunk decoded:  ", "Chunk written to sink.",
              "Chunk decoded: y", "Chunk written to sink.", "Chunk decoded: o", "Chunk written to sink.",
              "Chunk decoded: u", "Chunk written to sink.", "Chunk decoded: .", "Chunk written to sink.",
              "[MESSAGE RECEIVED] Hi, you.", "Chunk written to sink.");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
}

/* Seed 2: write an array of chunks, ignoring each write's error, and
 * close. */

static void
all_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    log_event ("All done!");
  else
    log_event ("Error with the stream: %s", error->message);
}

static void
write_array_to_stream (const int             *array,
                       gsize                  n,
                       WStreamWritableStream *stream)
{
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);

  for (gsize i = 0; i < n; i++)
    {
      GValue value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_INT);
      g_value_set_int (&value, array[i]);
      /* writer.write(chunk).catch(() => {}): nobody waits, nothing is
       * allocated for the result. */
      wstream_default_writer_write_async (writer, &value, NULL, NULL, NULL);
    }
  wstream_default_writer_close_async (writer, NULL, all_done_cb, NULL);
}

static void
no_threes (TestSink     *sink,
           const GValue *chunk,
           gpointer      data)
{
  if (g_value_get_int (chunk) == 3)
    sink->write_mode = SINK_FAIL;
}

static void
test_write_array (void)
{
  const int array[] = { 1, 2, 3, 4, 5 };
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;

  log_reset ();
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  write_array_to_stream (array, G_N_ELEMENTS (array), stream);
  run_until_idle ();
  assert_log ("sink.start", "sink.write 1", "sink.write 2", "sink.write 3", "sink.write 4",
              "sink.write 5", "sink.close", "All done!");
}

static void
test_write_array_failing (void)
{
  const int array[] = { 1, 2, 3, 4, 5 };
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;

  log_reset ();
  sink->on_write = no_threes;
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  write_array_to_stream (array, G_N_ELEMENTS (array), stream);
  run_until_idle ();
  assert_log ("sink.start", "sink.write 1", "sink.write 2", "sink.write 3",
              "Error with the stream: write failed");
}

/* Seed 3: a preamble is written, the lock released while it is still being
 * written, and the rest written through a second writer. */
static void
test_preamble_then_release (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (WStreamDefaultWriter) w2 = NULL;
  g_autoptr (GBytes) preamble = g_bytes_new_static ("foo bar", 7);

  log_reset ();
  sink->write_mode = SINK_DEFER;
  sink->quiet = FALSE;
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  wstream_default_writer_write_bytes_async (writer, preamble, NULL, cb_write, "write preamble");
  wstream_default_writer_release_lock (writer);
  log_event ("released");
  w2 = wstream_writable_stream_get_writer (stream, NULL);
  write_str (w2, "body1", TRUE);
  write_str (w2, "body2", TRUE);
  wstream_default_writer_close_async (w2, NULL, cb_close, "close");
  run_until_idle (); log_event ("-");
  test_sink_resolve (sink); run_until_idle (); log_event ("-");
  test_sink_resolve (sink); run_until_idle (); log_event ("-");
  test_sink_resolve (sink); run_until_idle ();
  assert_log ("sink.start", "released", "sink.write foo bar", "-", "sink.write body1",
              "write preamble ok", "-", "sink.write body2", "write body1 ok", "-", "sink.close",
              "write body2 ok", "close ok");
  g_assert_cmpuint (sink->written->len, ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/seeds/send-message-byte-by-byte", test_send_message);
  g_test_add_func ("/seeds/write-array-to-stream", test_write_array);
  g_test_add_func ("/seeds/write-array-to-stream-failing", test_write_array_failing);
  g_test_add_func ("/seeds/preamble-then-release-lock", test_preamble_then_release);

  return g_test_run ();
}
