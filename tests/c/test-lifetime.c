/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lifetimes: weak pointers prove that the stream, its writer, controller,
 * sink and every queued chunk are finalized, whenever the user lets go. */
#include "test-util.h"

typedef struct {
  gpointer stream, writer, controller, sink;
} Weak;

static void
watch (gpointer *slot, gpointer object)
{
  *slot = object;
  g_object_add_weak_pointer (object, slot);
}

static void
assert_all_finalized (Weak *w)
{
  g_assert_null (w->stream);
  g_assert_null (w->writer);
  g_assert_null (w->controller);
  g_assert_null (w->sink);
}

/* A GObject chunk whose finalization we can see. */
static GValue *
object_chunk (gpointer *weak)
{
  GValue *value = g_new0 (GValue, 1);
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

  g_value_init (value, G_TYPE_OBJECT);
  g_value_take_object (value, object);
  watch (weak, object);
  return value;
}

static void
free_value (GValue *value)
{
  g_value_unset (value);
  g_free (value);
}

static void
make (SinkMode write_mode, WStreamWritableStream **stream, WStreamDefaultWriter **writer, Weak *w)
{
  TestSink *sink = test_sink_new ();
  WStreamQueuingStrategy *strategy = wstream_queuing_strategy_new_count (8, NULL);

  sink->write_mode = write_mode;
  sink->quiet = TRUE;
  *stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, NULL);
  g_object_unref (strategy);
  *writer = wstream_writable_stream_get_writer (*stream, NULL);
  watch (&w->stream, *stream);
  watch (&w->writer, *writer);
  watch (&w->sink, sink);
  watch (&w->controller, sink->controller);
  g_object_unref (sink);   /* the stream holds it */
}

static void
test_closed_stream_finalizes (void)
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  Weak w;
  gpointer chunks[3];

  make (SINK_OK, &stream, &writer, &w);
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      GValue *value = object_chunk (&chunks[i]);
      wstream_default_writer_write_async (writer, value, NULL, NULL, NULL);
      free_value (value);
    }
  wstream_default_writer_close_async (writer, NULL, NULL, NULL);
  run_until_idle ();
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    g_assert_null (chunks[i]);   /* each chunk lives until its write settled */
  g_object_unref (writer);
  g_object_unref (stream);
  run_until_idle ();
  assert_all_finalized (&w);
}

static void
test_errored_stream_finalizes_queued_chunks (void)
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  TestSink *sink;
  Weak w;
  gpointer chunks[4];

  make (SINK_DEFER, &stream, &writer, &w);
  sink = w.sink;
  run_until_idle ();
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      GValue *value = object_chunk (&chunks[i]);
      wstream_default_writer_write_async (writer, value, NULL, NULL, NULL);
      free_value (value);
    }
  run_until_idle ();
  /* All queued, the first in flight. */
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    g_assert_nonnull (chunks[i]);
  test_sink_reject (sink, "boom");
  run_until_idle ();
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    g_assert_null (chunks[i]);
  g_object_unref (writer);
  g_object_unref (stream);
  run_until_idle ();
  assert_all_finalized (&w);
}

static void
test_drop_while_write_in_flight (void)
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  TestSink *sink;
  Weak w;
  gpointer chunk;
  GValue *value;

  make (SINK_DEFER, &stream, &writer, &w);
  sink = w.sink;
  run_until_idle ();
  value = object_chunk (&chunk);
  wstream_default_writer_write_async (writer, value, NULL, NULL, NULL);
  free_value (value);
  wstream_default_writer_close_async (writer, NULL, NULL, NULL);
  run_until_idle ();

  /* Drop every reference we have: the pending write keeps what it needs. */
  g_object_unref (writer);
  g_object_unref (stream);
  run_until_idle ();
  g_assert_nonnull (w.stream);
  g_assert_nonnull (w.sink);
  g_assert_nonnull (chunk);

  sink->close_mode = SINK_OK;
  test_sink_resolve (sink);
  run_until_idle ();
  g_assert_null (chunk);
  assert_all_finalized (&w);
}

static void
test_drop_while_start_pending (void)
{
  TestSink *sink = test_sink_new ();
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  Weak w = { 0 };

  sink->start_mode = SINK_DEFER;
  sink->quiet = TRUE;
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  watch (&w.stream, stream);
  watch (&w.writer, writer);
  watch (&w.sink, sink);
  watch (&w.controller, sink->controller);
  g_object_unref (sink);
  write_str (writer, "a", FALSE);
  g_object_unref (writer);
  g_object_unref (stream);
  run_until_idle ();
  g_assert_nonnull (w.stream);

  test_sink_resolve (w.sink);
  run_until_idle ();
  assert_all_finalized (&w);
}

static void
test_dropping_writer_releases_lock (void)
{
  g_autoptr (WStreamWritableStream) stream = wstream_writable_stream_new (NULL, NULL, NULL);
  WStreamDefaultWriter *writer = wstream_writable_stream_get_writer (stream, NULL);
  gpointer weak = writer;

  g_object_add_weak_pointer (G_OBJECT (writer), &weak);
  g_assert_true (wstream_writable_stream_is_locked (stream));
  g_object_unref (writer);
  g_assert_null (weak);
  g_assert_false (wstream_writable_stream_is_locked (stream));
  writer = wstream_writable_stream_get_writer (stream, NULL);
  g_assert_nonnull (writer);
  g_object_unref (writer);
  run_until_idle ();
}

static void
wait_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (wstream_default_writer_wait_closed_finish (WSTREAM_DEFAULT_WRITER (source), result, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_FAILED);
  log_event ("closed rejected: %s", error->message);
}

static void
test_sink_drops_deferred_promise (void)
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  TestSink *sink;
  Weak w;

  make (SINK_DEFER, &stream, &writer, &w);
  sink = w.sink;
  run_until_idle ();
  log_reset ();
  write_str (writer, "a", TRUE);
  wstream_default_writer_wait_closed_async (writer, NULL, wait_closed_cb, NULL);
  run_until_idle ();
  /* The sink forgets its promise: the write fails instead of hanging. */
  g_clear_object (&sink->pending);
  run_until_idle ();
  assert_log ("write a rejected The promise was dropped without being settled",
              "closed rejected: The promise was dropped without being settled");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  g_object_unref (writer);
  g_object_unref (stream);
  run_until_idle ();
  assert_all_finalized (&w);
}

static void
test_drop_everything_during_abort (void)
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  TestSink *sink;
  Weak w;
  gpointer chunks[3];

  make (SINK_DEFER, &stream, &writer, &w);
  sink = w.sink;
  sink->abort_mode = SINK_DEFER;
  run_until_idle ();
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      GValue *value = object_chunk (&chunks[i]);
      wstream_default_writer_write_async (writer, value, NULL, cb_write, "w");
      free_value (value);
    }
  wstream_default_writer_abort_async (writer, NULL, NULL, NULL, NULL);
  g_object_unref (writer);
  g_object_unref (stream);
  run_until_idle ();
  g_assert_nonnull (w.stream);   /* the write in flight holds it */
  test_sink_resolve (sink);      /* the write settles: the sink's abort runs */
  run_until_idle ();
  g_assert_nonnull (w.stream);   /* the abort in flight holds it */
  test_sink_resolve (sink);
  run_until_idle ();
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    g_assert_null (chunks[i]);
  assert_all_finalized (&w);
  log_reset ();
}

static void
test_controller_outlives_stream (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamDefaultController) controller = NULL;
  WStreamWritableStream *stream;
  g_autoptr (GError) error = make_error ("late");

  sink->quiet = TRUE;
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  controller = g_object_ref (sink->controller);
  g_object_unref (stream);
  run_until_idle ();
  /* Nothing to error any more: does nothing. */
  wstream_default_controller_error (controller, error);
  g_assert_nonnull (wstream_default_controller_get_cancellable (controller));
}

static void
count_write_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  guint *n = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (WSTREAM_IS_DEFAULT_WRITER (source));
  g_assert_true (wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, &error));
  g_assert_no_error (error);
  (*n)++;
}

static void
count_closed_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  guint *n = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (WSTREAM_IS_DEFAULT_WRITER (source));
  g_assert_false (wstream_default_writer_wait_closed_finish (WSTREAM_DEFAULT_WRITER (source), result, &error));
  g_assert_error (error, g_quark_from_static_string ("test"), 1);
  (*n)++;
}

/* Pending results keep their writer alive, each one until its callback ran
 * (the writer holds itself once for all of them): the writer, and so the
 * lock, go away after the last one. */
static void
test_writer_outlives_pending_results (void)
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  TestSink *sink;
  Weak w;
  guint n_written = 0, n_closed = 0;
  GValue value = G_VALUE_INIT;
  g_autoptr (GError) error = g_error_new_literal (g_quark_from_static_string ("test"), 1, "stop");

  make (SINK_DEFER, &stream, &writer, &w);
  sink = w.sink;
  run_until_idle ();
  value_set_string_chunk (&value, "a");
  wstream_default_writer_write_async (writer, &value, NULL, count_write_cb, &n_written);
  wstream_default_writer_write_async (writer, &value, NULL, count_write_cb, &n_written);
  g_value_unset (&value);
  wstream_default_writer_wait_closed_async (writer, NULL, count_closed_cb, &n_closed);

  g_object_unref (writer);
  run_until_idle ();
  g_assert_nonnull (w.writer);
  g_assert_true (wstream_writable_stream_is_locked (stream));

  test_sink_resolve (sink);
  run_until_idle ();
  g_assert_cmpuint (n_written, ==, 1);
  g_assert_nonnull (w.writer);

  test_sink_resolve (sink);
  run_until_idle ();
  g_assert_cmpuint (n_written, ==, 2);
  g_assert_nonnull (w.writer);   /* the wait on closed is still pending */
  g_assert_true (wstream_writable_stream_is_locked (stream));

  wstream_default_controller_error (sink->controller, error);
  run_until_idle ();
  g_assert_cmpuint (n_closed, ==, 1);
  g_assert_null (w.writer);
  g_assert_false (wstream_writable_stream_is_locked (stream));

  g_object_unref (stream);
  run_until_idle ();
  assert_all_finalized (&w);
}

/* Results that somebody keeps past their callback (a binding's wrapper,
 * a program that stores them) keep their writer alive on their own, and
 * may be dropped in another thread after the writer is gone everywhere
 * else. */
static void
keep_result_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GPtrArray *kept = user_data;

  g_assert_true (WSTREAM_IS_DEFAULT_WRITER (source));
  g_ptr_array_add (kept, g_object_ref (result));
}

static gpointer
drop_results_thread (gpointer data)
{
  GPtrArray *kept = data;

  g_ptr_array_unref (kept);
  return NULL;
}

static void
test_results_kept_and_dropped_in_another_thread (void)
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  Weak w;
  GPtrArray *kept = g_ptr_array_new_with_free_func (g_object_unref);
  GValue value = G_VALUE_INIT;
  GThread *thread;

  make (SINK_OK, &stream, &writer, &w);
  run_until_idle ();
  value_set_string_chunk (&value, "a");
  for (guint i = 0; i < 3; i++)
    wstream_default_writer_write_async (writer, &value, NULL, keep_result_cb, kept);
  g_value_unset (&value);
  wstream_default_writer_wait_ready_async (writer, NULL, keep_result_cb, kept);
  run_until_idle ();
  g_assert_cmpuint (kept->len, ==, 4);

  g_object_unref (writer);
  g_object_unref (stream);
  run_until_idle ();
  /* Every result holds its source object, as a GTask does. */
  g_assert_nonnull (w.writer);
  for (guint i = 0; i < kept->len; i++)
    {
      g_autoptr (GObject) source = g_async_result_get_source_object (kept->pdata[i]);
      g_assert_true (source == w.writer);
    }

  thread = g_thread_new ("drop-results", drop_results_thread, kept);
  g_thread_join (thread);
  run_until_idle ();
  assert_all_finalized (&w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lifetime/closed-stream-finalizes-everything", test_closed_stream_finalizes);
  g_test_add_func ("/lifetime/errored-stream-finalizes-queued-chunks", test_errored_stream_finalizes_queued_chunks);
  g_test_add_func ("/lifetime/drop-everything-while-write-in-flight", test_drop_while_write_in_flight);
  g_test_add_func ("/lifetime/drop-everything-while-start-pending", test_drop_while_start_pending);
  g_test_add_func ("/lifetime/drop-everything-during-abort", test_drop_everything_during_abort);
  g_test_add_func ("/lifetime/dropping-writer-releases-lock", test_dropping_writer_releases_lock);
  g_test_add_func ("/lifetime/sink-drops-deferred-promise", test_sink_drops_deferred_promise);
  g_test_add_func ("/lifetime/controller-outlives-stream", test_controller_outlives_stream);
  g_test_add_func ("/lifetime/writer-outlives-pending-results", test_writer_outlives_pending_results);
  g_test_add_func ("/lifetime/results-kept-and-dropped-in-another-thread",
                   test_results_kept_and_dropped_in_another_thread);

  return g_test_run ();
}
