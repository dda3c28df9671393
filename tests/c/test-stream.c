/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The stream's behaviour, scenario by scenario. Each expected event
 * sequence is the one Node's built-in WritableStream gives for the same
 * script in node-scenarios.mjs (the scenario of the same name), where Node
 * follows the Standard. */
#include <math.h>

#include "test-util.h"

typedef struct {
  TestSink              *sink;
  WStreamWritableStream *stream;
  WStreamDefaultWriter  *writer;
} Fixture;

static void
fixture_setup_full (Fixture                *f,
                    WStreamQueuingStrategy *strategy)
{
  g_autoptr (GError) error = NULL;

  log_reset ();
  f->stream = wstream_writable_stream_new (WSTREAM_SINK (f->sink), strategy, &error);
  g_assert_no_error (error);
  f->writer = wstream_writable_stream_get_writer (f->stream, &error);
  g_assert_no_error (error);
}

static void
fixture_init (Fixture *f)
{
  f->sink = test_sink_new ();
}

static void
fixture_clear (Fixture *f)
{
  run_until_idle ();
  /* A promise the sink still holds is pending work that keeps the stream
   * alive: settle it so that everything can go. */
  f->sink->quiet = TRUE;
  while (f->sink->pending != NULL)
    {
      test_sink_resolve (f->sink);
      run_until_idle ();
    }
  g_clear_object (&f->writer);
  g_clear_object (&f->stream);
  g_clear_object (&f->sink);
}

static void
abort_with (WStreamDefaultWriter *writer,
            const char           *reason,
            const char           *label)
{
  g_autoptr (GError) error = make_error (reason);

  wstream_default_writer_abort_async (writer, error, NULL, cb_abort, (gpointer) label);
}

#define TICK() run_until_idle ()
#define MARK() log_event ("-")

static void
test_write_close (void)
{
  Fixture f;

  fixture_init (&f);
  fixture_setup_full (&f, NULL);
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "b", TRUE);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  log_event ("returned");
  TICK ();
  assert_log ("sink.start", "returned", "sink.write a", "sink.write b", "write a ok",
              "sink.close", "write b ok", "close ok", "closed ok");
  g_assert_cmpint (wstream_writable_stream_get_state (f.stream), ==, WSTREAM_STATE_CLOSED);
  fixture_clear (&f);
}

static void
test_deferred_writes (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  f.sink->close_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "b", TRUE);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK (); MARK ();
  test_sink_resolve (f.sink); TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "sink.write a", "-", "sink.write b", "write a ok", "-",
              "sink.close", "write b ok", "-", "close ok");
  fixture_clear (&f);
}

static void
test_backpressure_count (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (2, NULL);

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, strategy);
  log_desired (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready 0");
  TICK ();
  write_str (f.writer, "a", FALSE); log_desired (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready 1");
  write_str (f.writer, "b", FALSE); log_desired (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready 2");
  write_str (f.writer, "c", FALSE); log_desired (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready 3");
  TICK (); MARK (); log_desired (f.writer);
  test_sink_resolve (f.sink); TICK (); MARK (); log_desired (f.writer);
  test_sink_resolve (f.sink); TICK (); MARK (); log_desired (f.writer);
  test_sink_resolve (f.sink); TICK (); MARK (); log_desired (f.writer);
  assert_log ("sink.start", "desired 2", "ready 0 ok", "sink.write a", "desired 1", "desired 0",
              "desired -1", "ready 1 ok", "-", "desired -1", "sink.write b", "-", "desired 0",
              "sink.write c", "ready 2 ok", "ready 3 ok", "-", "desired 1", "-", "desired 2");
  fixture_clear (&f);
}

static void
test_backpressure_byte_length (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_byte_length (10, NULL);
  g_autoptr (GBytes) hello = g_bytes_new_static ("hello", 5);
  g_autoptr (GBytes) world = g_bytes_new_static ("world!", 6);

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, strategy);
  TICK ();
  wstream_default_writer_write_bytes_async (f.writer, hello, NULL, NULL, NULL);
  log_desired (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready 1");
  wstream_default_writer_write_bytes_async (f.writer, world, NULL, NULL, NULL);
  log_desired (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready 2");
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK (); MARK (); log_desired (f.writer);
  test_sink_resolve (f.sink); TICK (); MARK (); log_desired (f.writer);
  assert_log ("sink.start", "sink.write hello", "desired 5", "desired -1", "ready 1 ok", "-",
              "sink.write world!", "ready 2 ok", "-", "desired 4", "-", "desired 10");
  fixture_clear (&f);
}

static void
test_infinite_high_water_mark (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (INFINITY, NULL);

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, strategy);
  TICK ();
  write_str (f.writer, "a", FALSE);
  write_str (f.writer, "b", FALSE);
  write_str (f.writer, "c", FALSE);
  log_desired (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready");
  TICK ();
  assert_log ("sink.start", "sink.write a", "desired Infinity", "ready ok");
  test_sink_resolve (f.sink);
  fixture_clear (&f);
}

static void
signal_cb (GCancellable *cancellable,
           gpointer      user_data)
{
  Fixture *f = user_data;
  const GError *reason = wstream_default_controller_get_abort_reason (f->sink->controller);

  log_event ("signal %s", reason->message);
}

static void
test_abort_while_writing (void)
{
  Fixture f;
  GCancellable *signal;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  signal = wstream_default_controller_get_cancellable (f.sink->controller);
  g_signal_connect (signal, "cancelled", G_CALLBACK (signal_cb), &f);
  g_assert_null (wstream_default_controller_get_abort_reason (f.sink->controller));
  TICK ();
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "b", TRUE);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK (); MARK ();
  abort_with (f.writer, "E1", "abort");
  log_event ("abort returned");
  log_desired (f.writer);
  g_assert_true (g_cancellable_is_cancelled (signal));
  g_assert_cmpint (wstream_writable_stream_get_state (f.stream), ==, WSTREAM_STATE_ERRORING);
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "sink.write a", "-", "signal E1", "abort returned", "desired null",
              "ready rejected E1", "-", "sink.abort E1", "write a ok", "write b rejected E1",
              "abort ok", "closed rejected E1");
  g_assert_cmpint (wstream_writable_stream_get_state (f.stream), ==, WSTREAM_STATE_ERRORED);
  fixture_clear (&f);
}

static void
test_abort_while_closing (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->close_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK (); MARK ();
  abort_with (f.writer, "E1", "abort");
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "sink.write a", "sink.close", "write a ok", "-", "-",
              "close ok", "abort ok", "closed ok");
  /* "The error was too late to do anything, so it is ignored." */
  g_assert_cmpint (wstream_writable_stream_get_state (f.stream), ==, WSTREAM_STATE_CLOSED);
  fixture_clear (&f);
}

static int signal_count;

static void
count_signal_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  signal_count++;
}

static void
test_abort_twice (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->abort_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  signal_count = 0;
  g_signal_connect (wstream_default_controller_get_cancellable (f.sink->controller), "cancelled",
                    G_CALLBACK (count_signal_cb), NULL);
  TICK ();
  abort_with (f.writer, "E1", "abort 1");
  abort_with (f.writer, "E2", "abort 2");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "sink.abort E1", "abort 2 ok", "-", "abort 1 ok", "closed rejected E1");
  /* The signal fires once, with the first reason. */
  g_assert_cmpint (signal_count, ==, 1);
  g_assert_cmpstr (wstream_default_controller_get_abort_reason (f.sink->controller)->message, ==, "E1");
  fixture_clear (&f);
}

static void
test_abort_twice_while_writing (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  abort_with (f.writer, "E1", "abort 1");
  abort_with (f.writer, "E2", "abort 2");   /* the same pending abort */
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "sink.write a", "-", "sink.abort E1", "write a ok", "abort 1 ok", "abort 2 ok");
  fixture_clear (&f);
}

static void
test_abort_after_close (void)
{
  Fixture f;
  GValue value = G_VALUE_INIT;

  fixture_init (&f);
  fixture_setup_full (&f, NULL);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  TICK (); MARK ();
  log_desired (f.writer);
  abort_with (f.writer, "E1", "abort");
  value_set_string_chunk (&value, "x");
  wstream_default_writer_write_async (f.writer, &value, NULL, cb_write, "write x");
  g_value_unset (&value);
  TICK ();
  /* Node logs "desired 0" after "abort ok" and "write x" only because it
   * throws from write(); the Standard rejects, as here. */
  assert_log ("sink.start", "sink.close", "close ok", "-", "desired 0", "abort ok",
              "write x rejected TypeError");
  fixture_clear (&f);
}

static void
test_write_fails (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_FAIL;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "b", TRUE);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK (); MARK ();
  log_desired (f.writer);
  write_str (f.writer, "c", TRUE);
  abort_with (f.writer, "E1", "abort");
  TICK ();
  assert_log ("sink.start", "sink.write a", "ready ok", "write a rejected write failed",
              "write b rejected write failed", "close rejected write failed",
              "closed rejected write failed", "-", "desired null", "write c rejected write failed",
              "abort ok");
  fixture_clear (&f);
}

static void
test_write_fails_without_error (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_FAIL_NO_ERROR;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  TICK ();
  assert_log ("sink.start", "sink.write a", "write a rejected The sink's write failed without saying why");
  g_assert_cmpint (wstream_writable_stream_get_state (f.stream), ==, WSTREAM_STATE_ERRORED);
  fixture_clear (&f);
}

static void
test_close_fails (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->close_mode = SINK_FAIL;
  fixture_setup_full (&f, NULL);
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "sink.write a", "sink.close", "write a ok", "close rejected close failed",
              "closed rejected close failed");
  g_assert_cmpint (wstream_writable_stream_get_state (f.stream), ==, WSTREAM_STATE_ERRORED);
  fixture_clear (&f);
}

static void
test_close_deferred_fails (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->close_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  test_sink_reject (f.sink, "late close failure");
  TICK ();
  assert_log ("sink.start", "sink.close", "close rejected late close failure",
              "closed rejected late close failure");
  fixture_clear (&f);
}

static void
test_start_fails_synchronously (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (GError) error = NULL;
  WStreamWritableStream *stream;

  log_reset ();
  sink->start_mode = SINK_FAIL;
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "start failed");
  g_clear_error (&error);

  sink->start_mode = SINK_FAIL_NO_ERROR;
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_FAILED);
  run_until_idle ();
  assert_log ("sink.start", "sink.start");
}

static void
test_start_deferred_fails (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->start_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK (); MARK ();
  test_sink_reject (f.sink, "E1"); TICK ();
  assert_log ("sink.start", "-", "write a rejected E1", "closed rejected E1");
  fixture_clear (&f);
}

static void
test_start_deferred_succeeds (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->start_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  write_str (f.writer, "a", TRUE);
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "-", "sink.write a", "write a ok");
  fixture_clear (&f);
}

static void
error_hook (TestSink     *sink,
            const GValue *chunk,
            gpointer      data)
{
  g_autoptr (GError) error = make_error ("E1");

  wstream_default_controller_error (sink->controller, error);
}

static void
test_error_in_start (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->on_start = error_hook;
  fixture_setup_full (&f, NULL);
  log_desired (f.writer);
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "desired null", "write a rejected E1", "ready rejected E1",
              "closed rejected E1");
  fixture_clear (&f);
}

static void
test_error_in_write (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  f.sink->on_write = error_hook;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "b", TRUE);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "sink.write a", "write b rejected E1", "-", "write a ok",
              "closed rejected E1");
  fixture_clear (&f);
}

static void
test_error_when_not_writable_does_nothing (void)
{
  Fixture f;
  g_autoptr (GError) e2 = make_error ("E2");

  fixture_init (&f);
  fixture_setup_full (&f, NULL);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  TICK ();
  wstream_default_controller_error (f.sink->controller, e2);
  g_assert_cmpint (wstream_writable_stream_get_state (f.stream), ==, WSTREAM_STATE_CLOSED);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "sink.close", "close ok", "closed ok");
  fixture_clear (&f);
}

static Fixture *hook_fixture;

static void
write_inside_write_hook (TestSink     *sink,
                         const GValue *chunk,
                         gpointer      data)
{
  if (g_strcmp0 (g_value_get_string (chunk), "a") == 0)
    {
      write_str (hook_fixture->writer, "x", TRUE);
      log_event ("nested returned");
    }
}

static void
test_write_inside_write (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->on_write = write_inside_write_hook;
  hook_fixture = &f;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  log_event ("returned");
  TICK ();
  assert_log ("sink.start", "sink.write a", "nested returned", "returned", "sink.write x",
              "write a ok", "write x ok");
  fixture_clear (&f);
}

static void
abort_inside_write_hook (TestSink     *sink,
                         const GValue *chunk,
                         gpointer      data)
{
  abort_with (hook_fixture->writer, "E1", "abort");
}

static void
test_abort_inside_write (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->on_write = abort_inside_write_hook;
  hook_fixture = &f;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "b", TRUE);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "sink.write a", "sink.abort E1", "write b rejected E1", "write a ok",
              "abort ok", "closed rejected E1");
  fixture_clear (&f);
}

static void
release_inside_write_hook (TestSink     *sink,
                           const GValue *chunk,
                           gpointer      data)
{
  /* On every write, as the Node scenario: the second release does nothing. */
  wstream_default_writer_release_lock (hook_fixture->writer);
  log_event ("locked %s", wstream_writable_stream_is_locked (hook_fixture->stream) ? "true" : "false");
}

static void
test_release_inside_write (void)
{
  Fixture f;
  g_autoptr (WStreamDefaultWriter) w2 = NULL;

  fixture_init (&f);
  f.sink->on_write = release_inside_write_hook;
  hook_fixture = &f;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  w2 = wstream_writable_stream_get_writer (f.stream, NULL);
  g_assert_nonnull (w2);
  write_str (w2, "b", TRUE);
  TICK ();
  assert_log ("sink.start", "sink.write a", "locked false", "sink.write b", "locked true",
              "closed rejected TypeError", "write a ok", "write b ok");
  fixture_clear (&f);
}

/* A size function that re-enters the stream. */
static const char *size_mode;
static WStreamDefaultWriter *size_writer;

static gboolean
reentrant_size (const GValue  *chunk,
                double        *out_size,
                gpointer       user_data,
                GError       **error)
{
  const char *s = g_value_get_string (chunk);

  log_event ("size %s", s);
  if (g_strcmp0 (size_mode, "write") == 0 && g_strcmp0 (s, "a") == 0)
    write_str (size_writer, "inner", TRUE);
  else if (g_strcmp0 (size_mode, "abort") == 0)
    abort_with (size_writer, "E1", "abort");
  else if (g_strcmp0 (size_mode, "release") == 0)
    wstream_default_writer_release_lock (size_writer);
  else if (g_strcmp0 (s, "bad") == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "size failed");
      return FALSE;
    }
  else if (g_strcmp0 (s, "nan") == 0)
    {
      *out_size = NAN;
      return TRUE;
    }
  *out_size = 1;
  return TRUE;
}

static void
test_size_reenters (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy =
    wstream_queuing_strategy_new_custom (4, reentrant_size, NULL, NULL, NULL);

  fixture_init (&f);
  f.sink->quiet = FALSE;
  fixture_setup_full (&f, strategy);
  size_writer = f.writer;
  TICK ();
  size_mode = "write"; write_str (f.writer, "a", TRUE); TICK (); MARK ();
  size_mode = "release"; write_str (f.writer, "b", TRUE); TICK (); MARK ();
  g_clear_object (&f.writer);
  f.writer = wstream_writable_stream_get_writer (f.stream, NULL);
  size_writer = f.writer;
  size_mode = "abort"; write_str (f.writer, "c", TRUE);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "size a", "size inner", "sink.write inner", "sink.write a",
              "write inner ok", "write a ok", "-", "size b", "write b rejected TypeError", "-",
              "size c", "sink.abort E1", "write c rejected E1", "abort ok", "closed rejected E1");
  size_mode = NULL;
  fixture_clear (&f);
}

static void
test_size_fails (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy =
    wstream_queuing_strategy_new_custom (4, reentrant_size, NULL, NULL, NULL);

  fixture_init (&f);
  fixture_setup_full (&f, strategy);
  TICK ();
  size_mode = NULL;
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "bad", TRUE);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "size a", "sink.write a", "size bad", "write bad rejected size failed",
              "write a ok", "closed rejected size failed");
  fixture_clear (&f);
}

static void
test_size_invalid (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy =
    wstream_queuing_strategy_new_custom (4, reentrant_size, NULL, NULL, NULL);

  fixture_init (&f);
  fixture_setup_full (&f, strategy);
  TICK ();
  size_mode = NULL;
  write_str (f.writer, "nan", TRUE);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "size nan", "write nan rejected RangeError", "closed rejected RangeError");
  fixture_clear (&f);
}

static void
test_size_invalid_while_writing (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy =
    wstream_queuing_strategy_new_custom (8, reentrant_size, NULL, NULL, NULL);

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, strategy);
  TICK ();
  size_mode = NULL;
  log_reset ();
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "nan", TRUE);
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  /* The invalid size is EnqueueValueWithSize's RangeError, after the write
   * request was added: the write waits for the one in flight. */
  assert_log ("size a", "sink.write a", "size nan", "-", "write a ok", "write nan rejected RangeError",
              "closed rejected RangeError");
  fixture_clear (&f);
}

/* The Standard's GetChunkSize asserts a stream that is not writable once
 * the size algorithm is cleared; during the sink's close it is writable. */
static void
test_size_write_while_closing (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy =
    wstream_queuing_strategy_new_custom (4, reentrant_size, NULL, NULL, NULL);

  fixture_init (&f);
  f.sink->close_mode = SINK_DEFER;
  fixture_setup_full (&f, strategy);
  TICK ();
  size_mode = NULL;
  log_reset ();
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  TICK ();
  write_str (f.writer, "late", TRUE);
  TICK ();
  test_sink_resolve (f.sink);
  TICK ();
  assert_log ("sink.close", "write late rejected TypeError", "close ok");
  fixture_clear (&f);
}

static void
test_byte_length_unsupported_chunk (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_byte_length (16, NULL);
  GValue value = G_VALUE_INIT;

  fixture_init (&f);
  fixture_setup_full (&f, strategy);
  TICK ();
  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, 1.5);
  wstream_default_writer_write_async (f.writer, &value, NULL, cb_write, "write double");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "write double rejected TypeError", "closed rejected TypeError");
  fixture_clear (&f);
}

static void
test_release_with_pending_writes (void)
{
  Fixture f;
  g_autoptr (WStreamDefaultWriter) w2 = NULL;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  wstream_default_writer_release_lock (f.writer);
  log_event ("locked %s", wstream_writable_stream_is_locked (f.stream) ? "true" : "false");
  write_str (f.writer, "z", TRUE);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close z");
  log_desired (f.writer);
  w2 = wstream_writable_stream_get_writer (f.stream, NULL);
  write_str (w2, "b", TRUE);
  wstream_default_writer_close_async (w2, NULL, cb_close, "close");
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK (); MARK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "sink.write a", "locked false", "desired threw TypeError",
              "ready rejected TypeError", "closed rejected TypeError", "write z rejected TypeError",
              "close z rejected TypeError", "-", "sink.write b", "write a ok", "-", "sink.close",
              "write b ok", "close ok");
  fixture_clear (&f);
}

static void
test_release_errored (void)
{
  Fixture f;
  g_autoptr (WStreamDefaultWriter) w2 = NULL;

  fixture_init (&f);
  f.sink->write_mode = SINK_FAIL;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  TICK (); MARK ();
  wstream_default_writer_release_lock (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  w2 = wstream_writable_stream_get_writer (f.stream, NULL);
  wstream_default_writer_wait_ready_async (w2, NULL, cb_ready, "ready 2");
  wstream_default_writer_wait_closed_async (w2, NULL, cb_closed, "closed 2");
  log_desired (w2);
  TICK ();
  /* The Standard (not the older MDN text in the seeds) rejects a released
   * writer's promises with a TypeError even on an errored stream. */
  assert_log ("sink.start", "sink.write a", "write a rejected write failed", "-", "desired null",
              "ready rejected TypeError", "closed rejected TypeError",
              "ready 2 rejected write failed", "closed 2 rejected write failed");
  fixture_clear (&f);
}

static void
test_stream_methods_locked (void)
{
  Fixture f;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) e1 = make_error ("E1");

  fixture_init (&f);
  fixture_setup_full (&f, NULL);
  wstream_writable_stream_abort_async (f.stream, e1, NULL, cb_stream_abort, "stream abort");
  wstream_writable_stream_close_async (f.stream, NULL, cb_stream_close, "stream close");
  g_assert_null (wstream_writable_stream_get_writer (f.stream, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_LOCKED);
  log_event ("getWriter threw %s", error_to_string (error));
  g_clear_error (&error);
  g_assert_null (wstream_default_writer_new (f.stream, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_LOCKED);
  wstream_default_writer_release_lock (f.writer);
  wstream_default_writer_release_lock (f.writer);   /* twice: nothing */
  wstream_writable_stream_close_async (f.stream, NULL, cb_stream_close, "stream close 2");
  wstream_writable_stream_close_async (f.stream, NULL, cb_stream_close, "stream close 3");
  TICK ();
  assert_log ("sink.start", "getWriter threw TypeError", "sink.close",
              "stream abort rejected TypeError", "stream close rejected TypeError",
              "stream close 3 rejected TypeError", "stream close 2 ok");
  fixture_clear (&f);
}

static void
test_stream_abort_unlocked (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_release_lock (f.writer);
  /* No reason: a WSTREAM_ERROR_ABORTED error. */
  wstream_writable_stream_abort_async (f.stream, NULL, NULL, cb_stream_abort, "stream abort");
  TICK ();
  test_sink_resolve (f.sink);
  TICK ();
  assert_log ("sink.start", "sink.write a", "sink.abort The stream was aborted", "write a ok",
              "stream abort ok");
  fixture_clear (&f);
}

static void
test_close_twice (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->close_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close");
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close 2");
  log_desired (f.writer);
  TICK (); MARK ();
  test_sink_resolve (f.sink); TICK (); MARK ();
  log_desired (f.writer);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready");
  wstream_default_writer_wait_closed_async (f.writer, NULL, cb_closed, "closed");
  TICK ();
  assert_log ("sink.start", "desired 1", "sink.close", "close 2 rejected TypeError", "-",
              "close ok", "-", "desired 0", "ready ok", "closed ok");
  fixture_clear (&f);
}

/* Each method in each state, with the exact error codes. */
typedef struct {
  GError **error;
  gboolean done;
} Capture;

static void
capture_write_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Capture *c = user_data;

  g_assert_false (wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, c->error));
  c->done = TRUE;
}

static void
capture_close_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Capture *c = user_data;

  g_assert_false (wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, c->error));
  c->done = TRUE;
}

static GError *
write_error_of (WStreamDefaultWriter *writer)
{
  GError *error = NULL;
  Capture c = { &error, FALSE };
  GValue value = G_VALUE_INIT;

  value_set_string_chunk (&value, "late");
  wstream_default_writer_write_async (writer, &value, NULL, capture_write_cb, &c);
  g_value_unset (&value);
  g_assert_false (c.done);
  run_until_idle ();
  g_assert_true (c.done);
  return error;
}

static GError *
close_error_of (WStreamDefaultWriter *writer)
{
  GError *error = NULL;
  Capture c = { &error, FALSE };

  wstream_default_writer_close_async (writer, NULL, capture_close_cb, &c);
  g_assert_false (c.done);
  run_until_idle ();
  g_assert_true (c.done);
  return error;
}

static void
test_error_codes_by_state (void)
{
  Fixture f;
  GError *error;
  double desired;

  /* Closing: write fails with CLOSED, close with CLOSED. */
  fixture_init (&f);
  f.sink->close_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  wstream_default_writer_close_async (f.writer, NULL, NULL, NULL);
  run_until_idle ();
  error = write_error_of (f.writer);
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_CLOSED);
  g_clear_error (&error);
  error = close_error_of (f.writer);
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_CLOSED);
  g_clear_error (&error);

  /* Closed: the same; desired size 0. */
  test_sink_resolve (f.sink);
  run_until_idle ();
  error = write_error_of (f.writer);
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_true (wstream_default_writer_get_desired_size (f.writer, &desired, NULL));
  g_assert_cmpfloat (desired, ==, 0);
  fixture_clear (&f);

  /* Errored: write and desired size give the stored error; close gives
   * ERRORED (the Standard's TypeError). */
  fixture_init (&f);
  f.sink->write_mode = SINK_FAIL;
  fixture_setup_full (&f, NULL);
  write_str (f.writer, "a", FALSE);
  run_until_idle ();
  error = write_error_of (f.writer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (wstream_default_writer_get_desired_size (f.writer, &desired, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  error = close_error_of (f.writer);
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_ERRORED);
  g_clear_error (&error);

  /* Released: RELEASED everywhere. */
  wstream_default_writer_release_lock (f.writer);
  error = write_error_of (f.writer);
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_RELEASED);
  g_clear_error (&error);
  error = close_error_of (f.writer);
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_RELEASED);
  g_clear_error (&error);
  g_assert_false (wstream_default_writer_get_desired_size (f.writer, &desired, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_RELEASED);
  g_clear_error (&error);
  g_assert_null (wstream_default_writer_get_stream (f.writer));
  fixture_clear (&f);
}

static void
test_cancel_write_keeps_chunk (void)
{
  Fixture f;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GValue value = G_VALUE_INIT;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  value_set_string_chunk (&value, "b");
  wstream_default_writer_write_async (f.writer, &value, cancellable, cb_write, "write b");
  g_value_unset (&value);
  wstream_default_writer_close_async (f.writer, cancellable, cb_close, "close");
  g_cancellable_cancel (cancellable);
  TICK (); MARK ();
  /* The waits ended; the chunk is still written and the close still
   * happens. */
  test_sink_resolve (f.sink); TICK ();
  test_sink_resolve (f.sink); TICK ();
  assert_log ("sink.start", "sink.write a",
              "write b rejected The operation was cancelled; the stream is unchanged",
              "close rejected The operation was cancelled; the stream is unchanged", "-",
              "sink.write b", "write a ok", "sink.close");
  g_assert_cmpint (wstream_writable_stream_get_state (f.stream), ==, WSTREAM_STATE_CLOSED);
  fixture_clear (&f);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  if (g_strcmp0 (pspec->name, "state") == 0)
    {
      GEnumClass *klass = g_type_class_ref (WSTREAM_TYPE_STATE);
      log_event ("notify state %s",
                 g_enum_get_value (klass, wstream_writable_stream_get_state (WSTREAM_WRITABLE_STREAM (object)))->value_nick);
      g_type_class_unref (klass);
    }
  else
    log_event ("notify %s %s", pspec->name,
               wstream_writable_stream_is_locked (WSTREAM_WRITABLE_STREAM (object)) ? "true" : "false");
}

static void
test_property_notifications (void)
{
  Fixture f;
  gboolean locked;

  fixture_init (&f);
  f.sink->write_mode = SINK_FAIL;
  fixture_setup_full (&f, NULL);
  g_signal_connect (f.stream, "notify", G_CALLBACK (notify_cb), NULL);
  TICK ();
  /* Queued by get_writer() before we connected; emitted from the queue. */
  assert_log ("sink.start", "notify locked true");
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_release_lock (f.writer);
  assert_log ("sink.write a");   /* never inside the call */
  g_object_get (f.stream, "locked", &locked, NULL);
  g_assert_false (locked);
  TICK ();
  /* The write's rejection was queued before the stream started erroring;
   * a notification reads the state current when it runs. */
  assert_log ("notify locked false", "write a rejected write failed",
              "notify state errored", "notify state errored");
  fixture_clear (&f);
}


/* Every writer method in every state: the script of node-scenarios.mjs's
 * methodsIn(). */
static void
methods_in (Fixture *f)
{
  log_desired (f->writer);
  write_str (f->writer, "x", TRUE); log_desired (f->writer);
  wstream_default_writer_close_async (f->writer, NULL, cb_close, "close"); log_desired (f->writer);
  abort_with (f->writer, "E9", "abort");
  wstream_default_writer_wait_ready_async (f->writer, NULL, cb_ready, "ready");
  wstream_default_writer_wait_closed_async (f->writer, NULL, cb_closed, "closed");
  TICK (); MARK ();
  while (f->sink->pending != NULL)
    {
      test_sink_resolve (f->sink);
      TICK ();
    }
  MARK (); log_desired (f->writer);
}

static void
test_methods_writable (void)
{
  Fixture f;

  fixture_init (&f);
  fixture_setup_full (&f, NULL);
  TICK (); log_event ("=");
  methods_in (&f);
  assert_log ("sink.start", "=", "desired 1", "sink.write x", "desired 0", "desired 0", "sink.abort E9",
              "ready rejected E9", "write x ok", "abort ok", "close rejected E9", "closed rejected E9",
              "-", "-", "desired null");
  fixture_clear (&f);
}

static void
test_methods_close_queued (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close a");
  log_event ("=");
  methods_in (&f);
  assert_log ("sink.start", "sink.write a", "=", "desired 0", "desired 0", "desired 0",
              "write x rejected TypeError", "close rejected TypeError", "ready rejected E9", "-",
              "sink.abort E9", "write a ok", "abort ok", "close a rejected E9", "closed rejected E9",
              "-", "desired null");
  fixture_clear (&f);
}

static void
test_methods_erroring_in_flight (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  abort_with (f.writer, "E1", "abort a");
  log_event ("=");
  methods_in (&f);
  assert_log ("sink.start", "sink.write a", "=", "desired null", "desired null", "desired null",
              "write x rejected E1", "ready rejected E1", "-", "sink.abort E1", "write a ok",
              "abort a ok", "abort ok", "close rejected E1", "closed rejected E1", "-", "desired null");
  fixture_clear (&f);
}

static void
test_methods_erroring_not_started (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->start_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  TICK ();
  abort_with (f.writer, "E1", "abort a");
  log_event ("=");
  methods_in (&f);
  assert_log ("sink.start", "=", "desired null", "desired null", "desired null",
              "write x rejected E1", "ready rejected E1", "-", "sink.abort E1", "abort a ok",
              "abort ok", "close rejected E1", "closed rejected E1", "-", "desired null");
  fixture_clear (&f);
}

static void
test_methods_errored (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->write_mode = SINK_FAIL;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  TICK (); log_event ("=");
  methods_in (&f);
  assert_log ("sink.start", "sink.write a", "write a rejected write failed", "=", "desired null",
              "desired null", "desired null", "write x rejected write failed",
              "close rejected TypeError", "abort ok", "ready rejected write failed",
              "closed rejected write failed", "-", "-", "desired null");
  fixture_clear (&f);
}

static void
test_methods_closed (void)
{
  Fixture f;

  fixture_init (&f);
  fixture_setup_full (&f, NULL);
  TICK ();
  wstream_default_writer_close_async (f.writer, NULL, cb_close, "close a");
  TICK (); log_event ("=");
  methods_in (&f);
  assert_log ("sink.start", "sink.close", "close a ok", "=", "desired 0", "desired 0", "desired 0",
              "write x rejected TypeError", "close rejected TypeError", "abort ok", "ready ok",
              "closed ok", "-", "-", "desired 0");
  fixture_clear (&f);
}

static void
close_inside_write_hook (TestSink     *sink,
                         const GValue *chunk,
                         gpointer      data)
{
  if (g_strcmp0 (g_value_get_string (chunk), "a") == 0)
    wstream_default_writer_close_async (hook_fixture->writer, NULL, cb_close, "close");
}

static void
test_close_inside_write (void)
{
  Fixture f;

  fixture_init (&f);
  f.sink->on_write = close_inside_write_hook;
  hook_fixture = &f;
  fixture_setup_full (&f, NULL);
  TICK ();
  write_str (f.writer, "a", TRUE);
  write_str (f.writer, "b", TRUE);
  TICK ();
  assert_log ("sink.start", "sink.write a", "sink.close", "write b rejected TypeError", "write a ok",
              "close ok");
  fixture_clear (&f);
}

static gboolean
closing_size (const GValue  *chunk,
              double        *out_size,
              gpointer       user_data,
              GError       **error)
{
  log_event ("size %s", g_value_get_string (chunk));
  if (g_strcmp0 (g_value_get_string (chunk), "a") == 0)
    wstream_default_writer_close_async (hook_fixture->writer, NULL, cb_close, "close");
  *out_size = 1;
  return TRUE;
}

static void
test_close_inside_size (void)
{
  Fixture f;
  g_autoptr (WStreamQueuingStrategy) strategy =
    wstream_queuing_strategy_new_custom (2, closing_size, NULL, NULL, NULL);

  fixture_init (&f);
  hook_fixture = &f;
  fixture_setup_full (&f, strategy);
  TICK ();
  write_str (f.writer, "a", TRUE);
  TICK ();
  assert_log ("sink.start", "size a", "sink.close", "write a rejected TypeError", "close ok");
  fixture_clear (&f);
}

/* Re-entering from user callbacks: write from a write's callback, abort
 * from ready's, release from closed's. */
static void
then_write_c_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  cb_write (source, result, user_data);
  write_str (WSTREAM_DEFAULT_WRITER (source), "c", TRUE);
}

static void
then_abort_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  cb_ready (source, result, user_data);
  abort_with (WSTREAM_DEFAULT_WRITER (source), "E1", "abort");
}

static void
then_release_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  cb_closed (source, result, user_data);
  wstream_default_writer_release_lock (WSTREAM_DEFAULT_WRITER (source));
  log_event ("released");
}

static void
test_reenter_from_callbacks (void)
{
  Fixture f;
  GValue value = G_VALUE_INIT;

  fixture_init (&f);
  f.sink->write_mode = SINK_DEFER;
  fixture_setup_full (&f, NULL);
  TICK ();
  value_set_string_chunk (&value, "a");
  wstream_default_writer_write_async (f.writer, &value, NULL, then_write_c_cb, "write a");
  g_value_unset (&value);
  wstream_default_writer_wait_ready_async (f.writer, NULL, cb_ready, "ready");
  write_str (f.writer, "b", TRUE);
  wstream_default_writer_wait_ready_async (f.writer, NULL, then_abort_cb, "ready 2");
  wstream_default_writer_wait_closed_async (f.writer, NULL, then_release_cb, "closed");
  TICK (); MARK ();
  while (f.sink->pending != NULL)
    {
      test_sink_resolve (f.sink);
      TICK ();
    }
  assert_log ("sink.start", "sink.write a", "-", "sink.write b", "write a ok", "sink.write c",
              "write b ok", "write c ok", "ready ok", "ready 2 ok", "sink.abort E1", "abort ok",
              "closed rejected E1", "released");
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stream/write/then-close", test_write_close);
  g_test_add_func ("/stream/write/deferred-sink", test_deferred_writes);
  g_test_add_func ("/stream/write/cancel-keeps-the-chunk-queued", test_cancel_write_keeps_chunk);
  g_test_add_func ("/stream/backpressure/count", test_backpressure_count);
  g_test_add_func ("/stream/backpressure/byte-length", test_backpressure_byte_length);
  g_test_add_func ("/stream/backpressure/infinite-high-water-mark", test_infinite_high_water_mark);
  g_test_add_func ("/stream/abort/while-writing", test_abort_while_writing);
  g_test_add_func ("/stream/abort/while-closing", test_abort_while_closing);
  g_test_add_func ("/stream/abort/twice", test_abort_twice);
  g_test_add_func ("/stream/abort/twice-while-writing", test_abort_twice_while_writing);
  g_test_add_func ("/stream/abort/after-close", test_abort_after_close);
  g_test_add_func ("/stream/abort/stream-unlocked-default-reason", test_stream_abort_unlocked);
  g_test_add_func ("/stream/sink/write-fails", test_write_fails);
  g_test_add_func ("/stream/sink/write-fails-without-error", test_write_fails_without_error);
  g_test_add_func ("/stream/sink/close-fails", test_close_fails);
  g_test_add_func ("/stream/sink/close-deferred-fails", test_close_deferred_fails);
  g_test_add_func ("/stream/sink/start-fails-synchronously", test_start_fails_synchronously);
  g_test_add_func ("/stream/sink/start-deferred-fails", test_start_deferred_fails);
  g_test_add_func ("/stream/sink/start-deferred-succeeds", test_start_deferred_succeeds);
  g_test_add_func ("/stream/controller/error-in-start", test_error_in_start);
  g_test_add_func ("/stream/controller/error-in-write", test_error_in_write);
  g_test_add_func ("/stream/controller/error-when-closed-does-nothing", test_error_when_not_writable_does_nothing);
  g_test_add_func ("/stream/reentrancy/write-inside-write", test_write_inside_write);
  g_test_add_func ("/stream/reentrancy/abort-inside-write", test_abort_inside_write);
  g_test_add_func ("/stream/reentrancy/release-inside-write", test_release_inside_write);
  g_test_add_func ("/stream/reentrancy/size-function-writes-releases-aborts", test_size_reenters);
  g_test_add_func ("/stream/size/fails", test_size_fails);
  g_test_add_func ("/stream/size/invalid", test_size_invalid);
  g_test_add_func ("/stream/size/invalid-while-writing", test_size_invalid_while_writing);
  g_test_add_func ("/stream/size/write-while-closing", test_size_write_while_closing);
  g_test_add_func ("/stream/size/byte-length-unsupported-chunk", test_byte_length_unsupported_chunk);
  g_test_add_func ("/stream/release/with-pending-writes", test_release_with_pending_writes);
  g_test_add_func ("/stream/release/on-errored-stream", test_release_errored);
  g_test_add_func ("/stream/locked/stream-methods-fail", test_stream_methods_locked);
  g_test_add_func ("/stream/close/twice", test_close_twice);
  g_test_add_func ("/stream/errors/codes-by-state", test_error_codes_by_state);
  g_test_add_func ("/stream/methods/writable", test_methods_writable);
  g_test_add_func ("/stream/methods/writable-close-queued", test_methods_close_queued);
  g_test_add_func ("/stream/methods/erroring-with-write-in-flight", test_methods_erroring_in_flight);
  g_test_add_func ("/stream/methods/erroring-before-start-finished", test_methods_erroring_not_started);
  g_test_add_func ("/stream/methods/errored", test_methods_errored);
  g_test_add_func ("/stream/methods/closed", test_methods_closed);
  g_test_add_func ("/stream/reentrancy/close-inside-write", test_close_inside_write);
  g_test_add_func ("/stream/reentrancy/close-inside-size-function", test_close_inside_size);
  g_test_add_func ("/stream/reentrancy/from-user-callbacks", test_reenter_from_callbacks);
  g_test_add_func ("/stream/properties/notify-from-job-queue", test_property_notifications);

  return g_test_run ();
}
