/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The API for language layers: settled callbacks that run synchronously,
 * resolve_now/reject_now that resume the stream inside the call, and the
 * writer's and stream's operations returning the Standard's promises. */
#include "test-util.h"

/* A settled callback that logs "<label> settled fulfilled|rejected <why>". */
static void
log_settled (WStreamPromise *promise,
             gpointer        user_data)
{
  const char *label = user_data;

  if (wstream_promise_get_state (promise) == WSTREAM_PROMISE_FULFILLED)
    log_event ("%s settled fulfilled", label);
  else
    log_event ("%s settled rejected %s", label, error_to_string (wstream_promise_get_error (promise)));
}

static void
watch (WStreamPromise *promise,
       const char     *label)
{
  wstream_promise_set_settled_callback (promise, log_settled, (gpointer) label, NULL);
}

static void
count_destroy (gpointer data)
{
  (*(int *) data)++;
}

static void
count_settled (WStreamPromise *promise,
               gpointer        data)
{
  log_event ("settled");
}

static void
test_settled_callback_runs_inside_the_settling_call (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();
  g_autoptr (GError) late = make_error ("late");
  int destroyed = 0;

  log_reset ();
  wstream_promise_set_settled_callback (promise, count_settled, &destroyed, count_destroy);
  wstream_promise_wait_async (promise, NULL, cb_promise_wait, "wait");
  g_assert_true (wstream_promise_resolve (promise, NULL));
  log_event ("resolve returned");
  run_until_idle ();
  assert_log ("settled", "resolve returned", "wait ok");

  /* Settling again calls nothing. */
  g_assert_false (wstream_promise_reject (promise, late));
  run_until_idle ();
  assert_log (NULL);

  g_assert_cmpint (destroyed, ==, 0);
  g_clear_object (&promise);
  g_assert_cmpint (destroyed, ==, 1);
}

static void
test_settled_callback_on_a_settled_promise_runs_at_once (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();
  g_autoptr (GError) error = make_error ("E1");

  log_reset ();
  wstream_promise_reject (promise, error);
  watch (promise, "p");
  log_event ("set returned");
  assert_log ("p settled rejected E1", "set returned");
}

/* resolve_now resumes the stream inside the call: the next write reaches
 * the sink and the settled callbacks run before it returns, where the
 * ordinary resolve leaves all of it to the job queue. */
static void
test_resolve_now_resumes_the_stream_inside_the_call (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (4, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (WStreamPromise) deferred = NULL;
  g_autoptr (WStreamPromise) w1 = NULL;
  g_autoptr (WStreamPromise) w2 = NULL;
  g_autoptr (GError) e2 = make_error ("E2");
  GValue chunk = G_VALUE_INIT;

  log_reset ();
  sink->write_mode = SINK_DEFER;
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  run_until_idle ();

  value_set_string_chunk (&chunk, "a");
  w1 = wstream_default_writer_write_promise (writer, &chunk);
  g_value_unset (&chunk);
  watch (w1, "write a");
  value_set_string_chunk (&chunk, "b");
  w2 = wstream_default_writer_write_promise (writer, &chunk);
  g_value_unset (&chunk);
  watch (w2, "write b");
  assert_log ("sink.start", "sink.write a");

  deferred = g_steal_pointer (&sink->pending);
  g_assert_true (wstream_promise_resolve_now (deferred, NULL));
  log_event ("resolve_now returned");
  assert_log ("write a settled fulfilled", "sink.write b", "resolve_now returned");

  g_clear_object (&deferred);
  deferred = g_steal_pointer (&sink->pending);
  g_assert_true (wstream_promise_reject_now (deferred, e2));
  log_event ("reject_now returned");
  assert_log ("write b settled rejected E2", "reject_now returned");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  run_until_idle ();
}

static void
test_writer_promises (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (WStreamPromise) close1 = NULL;
  g_autoptr (WStreamPromise) close2 = NULL;
  g_autoptr (WStreamPromise) abort1 = NULL;
  g_autoptr (WStreamPromise) abort2 = NULL;
  g_autoptr (WStreamPromise) released = NULL;
  g_autoptr (GError) reason = make_error ("R");
  GValue chunk = G_VALUE_INIT;

  log_reset ();
  sink->close_mode = SINK_DEFER;
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  run_until_idle ();

  close1 = wstream_default_writer_close_promise (writer);
  watch (close1, "close");
  close2 = wstream_default_writer_close_promise (writer);
  watch (close2, "second close");
  abort1 = wstream_default_writer_abort_promise (writer, reason);
  watch (abort1, "abort");
  /* The Standard returns the pending abort's promise again. */
  abort2 = wstream_default_writer_abort_promise (writer, NULL);
  g_assert_true (abort1 == abort2);
  assert_log ("sink.start", "sink.close", "second close settled rejected TypeError");

  test_sink_resolve (sink);
  run_until_idle ();
  /* "Never execute sink abort() after sink close()": the close won. */
  assert_log ("close settled fulfilled", "abort settled fulfilled");

  wstream_default_writer_release_lock (writer);
  value_set_string_chunk (&chunk, "x");
  released = wstream_default_writer_write_promise (writer, &chunk);
  g_value_unset (&chunk);
  watch (released, "released write");
  assert_log ("released write settled rejected TypeError");
}

static void
test_stream_promises (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (TestSink) other_sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamWritableStream) other = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (WStreamPromise) close = NULL;
  g_autoptr (WStreamPromise) locked = NULL;
  g_autoptr (WStreamPromise) abort = NULL;
  g_autoptr (GError) reason = make_error ("R");

  log_reset ();
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  run_until_idle ();
  close = wstream_writable_stream_close_promise (stream);
  watch (close, "close");
  g_assert_false (wstream_writable_stream_is_locked (stream));
  run_until_idle ();
  assert_log ("sink.start", "sink.close", "close settled fulfilled");

  other = wstream_writable_stream_new (WSTREAM_SINK (other_sink), NULL, NULL);
  run_until_idle ();
  writer = wstream_writable_stream_get_writer (other, NULL);
  locked = wstream_writable_stream_abort_promise (other, reason);
  watch (locked, "locked abort");
  wstream_default_writer_release_lock (writer);
  abort = wstream_writable_stream_abort_promise (other, reason);
  watch (abort, "abort");
  g_assert_false (wstream_writable_stream_is_locked (other));
  run_until_idle ();
  assert_log ("sink.start", "locked abort settled rejected TypeError", "sink.abort R",
              "abort settled fulfilled");
  g_assert_cmpint (wstream_writable_stream_get_state (other), ==, WSTREAM_STATE_ERRORED);
}

/* Logs the events a language sink recorded, as a binding reads them;
 * returns the tag of the last sink operation among them (0 if none). */
static guint
log_language_events (WStreamLanguageSink *sink)
{
  static const char *names[] = {
    "none", "fulfilled", "rejected", "start", "write", "close", "abort", "abort-signal",
  };
  WStreamLanguageEventKind kind;
  guint tag, operation = 0;

  while ((kind = wstream_language_sink_next_event (sink, &tag)) != WSTREAM_LANGUAGE_EVENT_NONE)
    {
      if (kind >= WSTREAM_LANGUAGE_EVENT_START && kind <= WSTREAM_LANGUAGE_EVENT_ABORT)
        operation = tag;
      const GValue *chunk = wstream_language_sink_get_event_chunk (sink);
      const GError *error = wstream_language_sink_get_event_error (sink);
      g_autofree char *chunk_str = chunk ? chunk_to_string (chunk) : NULL;

      log_event ("%s%s%s%s%s", names[kind],
                 chunk_str ? " " : "", chunk_str ? chunk_str : "",
                 error ? " " : "", error ? error_to_string (error) : "");
    }
  return operation;
}

static guint
last_operation (WStreamLanguageSink *sink,
                WStreamLanguageEventKind expected)
{
  guint tag = 0;

  g_assert_cmpint (wstream_language_sink_next_event (sink, &tag), ==, expected);
  return tag;
}

/* The language sink never calls out: everything the binding has to do is
 * recorded in order, and settling an operation resumes the stream inside
 * the call. */
static void
test_language_sink_records_events_in_order (void)
{
  g_autoptr (WStreamLanguageSink) sink = wstream_language_sink_new ();
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_language_sink_new_strategy (sink, 2, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) reason = make_error ("R");
  g_autoptr (WStreamPromise) abort1 = NULL;
  g_autoptr (WStreamPromise) abort2 = NULL;
  g_autoptr (GError) failure = make_error ("abort failed");
  GValue chunk = G_VALUE_INIT;
  guint start, write1, abort;

  log_reset ();
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, NULL);
  g_assert_nonnull (wstream_language_sink_get_controller (sink));
  start = last_operation (sink, WSTREAM_LANGUAGE_EVENT_START);
  writer = wstream_writable_stream_get_writer (stream, NULL);

  g_assert_true (wstream_language_sink_wants_size (sink));
  wstream_language_sink_set_next_size (sink, 1.5);
  value_set_string_chunk (&chunk, "a");
  wstream_language_sink_write (sink, writer, &chunk);
  g_value_unset (&chunk);
  log_desired (writer);
  assert_log ("desired 0.5");

  /* Start finishes: the write reaches the sink inside settle(). */
  g_assert_true (wstream_language_sink_settle (sink, start, NULL));
  g_assert_false (wstream_language_sink_settle (sink, start, NULL));
  write1 = last_operation (sink, WSTREAM_LANGUAGE_EVENT_WRITE);
  g_assert_cmpstr (g_value_get_string (wstream_language_sink_get_event_chunk (sink)), ==, "a");

  /* Aborting while the write is in flight: the signal now, the write's
   * promise and the sink's abort once the write settled. */
  abort1 = wstream_default_writer_abort_promise (writer, reason);
  abort2 = wstream_default_writer_abort_promise (writer, reason);
  g_assert_cmpuint (wstream_language_sink_watch (sink, abort1), ==,
                    wstream_language_sink_watch (sink, abort2));
  log_language_events (sink);
  assert_log ("abort-signal R");

  g_assert_true (wstream_language_sink_settle (sink, write1, NULL));
  abort = log_language_events (sink);
  assert_log ("fulfilled", "abort R");
  g_assert_false (wstream_language_sink_wants_size (sink));

  /* Only the operation in progress settles. */
  g_assert_false (wstream_language_sink_settle (sink, write1, NULL));
  g_assert_true (wstream_language_sink_settle (sink, abort, failure));
  log_language_events (sink);
  assert_log ("rejected abort failed");
  run_until_idle ();
}

static void
test_language_sink_size_error (void)
{
  g_autoptr (WStreamLanguageSink) sink = wstream_language_sink_new ();
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_language_sink_new_strategy (sink, 2, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) error = make_error ("no size");
  GValue chunk = G_VALUE_INIT;
  guint start;

  log_reset ();
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, NULL);
  start = last_operation (sink, WSTREAM_LANGUAGE_EVENT_START);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  wstream_language_sink_settle (sink, start, NULL);

  wstream_language_sink_set_next_size_error (sink, error);
  value_set_string_chunk (&chunk, "x");
  wstream_language_sink_write (sink, writer, &chunk);
  g_value_unset (&chunk);
  log_language_events (sink);
  assert_log ("rejected no size");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  run_until_idle ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/language-layer/settled-callback/runs-inside-the-settling-call",
                   test_settled_callback_runs_inside_the_settling_call);
  g_test_add_func ("/language-layer/settled-callback/on-a-settled-promise-runs-at-once",
                   test_settled_callback_on_a_settled_promise_runs_at_once);
  g_test_add_func ("/language-layer/resolve-now/resumes-the-stream-inside-the-call",
                   test_resolve_now_resumes_the_stream_inside_the_call);
  g_test_add_func ("/language-layer/writer/promises", test_writer_promises);
  g_test_add_func ("/language-layer/stream/promises", test_stream_promises);
  g_test_add_func ("/language-layer/language-sink/records-events-in-order",
                   test_language_sink_records_events_in_order);
  g_test_add_func ("/language-layer/language-sink/size-error", test_language_sink_size_error);

  return g_test_run ();
}
