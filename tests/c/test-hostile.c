/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostile input: whatever the caller, the sink or the strategy does, wstream
 * reports it (a critical for a programmer error, a rejection for the
 * Standard's TypeError/RangeError cases) and never crashes, hangs or leaks.
 *
 * Programmer errors run in a subprocess (g_test_trap_subprocess): the child
 * must die of the critical, with "CRITICAL" on stderr, not of a signal. */
#include <math.h>

#include "test-util.h"

#define LIB_DOMAIN "WStream"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

static const char *
error_name (const GError *error)
{
  if (error == NULL)
    return "none";
  if (error->domain == WSTREAM_ERROR)
    {
      GEnumClass *klass = g_type_class_ref (WSTREAM_TYPE_ERROR);
      GEnumValue *value = g_enum_get_value (klass, error->code);
      const char *name = value ? g_intern_string (value->value_nick) : "unknown";

      g_type_class_unref (klass);
      return name;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  return error->message;
}

/* Logs "<label> ok" or "<label> <error-nick-or-message>". */
#define DEFINE_OUTCOME(name, type, finish)                                      \
  static void                                                                   \
  name (GObject *source, GAsyncResult *result, gpointer user_data)              \
  {                                                                             \
    g_autoptr (GError) error = NULL;                                            \
    gboolean ok = finish (type (source), result, &error);                       \
    g_assert_true (ok == (error == NULL));                                      \
    log_event ("%s %s", (const char *) user_data, ok ? "ok" : error_name (error)); \
  }

DEFINE_OUTCOME (on_write, WSTREAM_DEFAULT_WRITER, wstream_default_writer_write_finish)
DEFINE_OUTCOME (on_close, WSTREAM_DEFAULT_WRITER, wstream_default_writer_close_finish)
DEFINE_OUTCOME (on_abort, WSTREAM_DEFAULT_WRITER, wstream_default_writer_abort_finish)
DEFINE_OUTCOME (on_ready, WSTREAM_DEFAULT_WRITER, wstream_default_writer_wait_ready_finish)
DEFINE_OUTCOME (on_closed, WSTREAM_DEFAULT_WRITER, wstream_default_writer_wait_closed_finish)

static void
write_int (WStreamDefaultWriter *writer,
           int                   n,
           const char           *label)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, n);
  wstream_default_writer_write_async (writer, &value, NULL, on_write, (gpointer) label);
  g_value_unset (&value);
}

static WStreamWritableStream *
make_stream (TestSink                *sink,
             WStreamQueuingStrategy  *strategy)
{
  g_autoptr (GError) error = NULL;
  WStreamWritableStream *stream = wstream_writable_stream_new (sink ? WSTREAM_SINK (sink) : NULL,
                                                               strategy, &error);
  g_assert_no_error (error);
  return stream;
}

static void
weak (gpointer *slot,
      gpointer  object)
{
  *slot = object;
  g_object_add_weak_pointer (object, slot);
}

/* ---------------------------------------------------------------------- */
/* NULL and wrong-type arguments to every public function                  */
/* ---------------------------------------------------------------------- */

typedef void (*BadCall) (gpointer bad);

typedef struct
{
  const char *name;
  BadCall call;
} BadEntry;

#define BAD(fn, ...) \
  static void bad_##fn (gpointer bad) { __VA_ARGS__; }

static const GValue *
int_chunk (void)
{
  static GValue value = G_VALUE_INIT;

  if (!G_IS_VALUE (&value))
    {
      g_value_init (&value, G_TYPE_INT);
      g_value_set_int (&value, 1);
    }
  return &value;
}

static GAsyncResult *
some_result (void)
{
  /* Any GAsyncResult: only the bad self matters. */
  return G_ASYNC_RESULT (g_task_new (NULL, NULL, NULL, NULL));
}

static double dummy_double;
static guint dummy_uint;

BAD (wstream_promise_resolve, wstream_promise_resolve (bad, NULL))
BAD (wstream_promise_reject, wstream_promise_reject (bad, NULL))
BAD (wstream_promise_get_state, wstream_promise_get_state (bad))
BAD (wstream_promise_get_value, wstream_promise_get_value (bad))
BAD (wstream_promise_get_error, wstream_promise_get_error (bad))
BAD (wstream_promise_wait_async, wstream_promise_wait_async (bad, NULL, NULL, NULL))
BAD (wstream_promise_wait_finish, wstream_promise_wait_finish (bad, some_result (), NULL))
BAD (wstream_promise_set_settled_callback, wstream_promise_set_settled_callback (bad, NULL, NULL, NULL))
BAD (wstream_promise_resolve_now, wstream_promise_resolve_now (bad, NULL))
BAD (wstream_promise_reject_now, wstream_promise_reject_now (bad, NULL))
BAD (wstream_sink_start, wstream_sink_start (bad, NULL, NULL))
BAD (wstream_sink_write, wstream_sink_write (bad, int_chunk (), NULL, NULL))
BAD (wstream_sink_close, wstream_sink_close (bad, NULL, NULL))
BAD (wstream_sink_abort, wstream_sink_abort (bad, NULL, NULL, NULL))
BAD (wstream_default_controller_error, wstream_default_controller_error (bad, NULL))
BAD (wstream_default_controller_defer, wstream_default_controller_defer (bad))
BAD (wstream_default_controller_get_cancellable, wstream_default_controller_get_cancellable (bad))
BAD (wstream_default_controller_get_abort_reason, wstream_default_controller_get_abort_reason (bad))
BAD (wstream_default_writer_new, wstream_default_writer_new (bad, NULL))
BAD (wstream_default_writer_write_async, wstream_default_writer_write_async (bad, int_chunk (), NULL, NULL, NULL))
BAD (wstream_default_writer_write_bytes_async, wstream_default_writer_write_bytes_async (bad, NULL, NULL, NULL, NULL))
BAD (wstream_default_writer_write_finish, wstream_default_writer_write_finish (bad, some_result (), NULL))
BAD (wstream_default_writer_close_async, wstream_default_writer_close_async (bad, NULL, NULL, NULL))
BAD (wstream_default_writer_close_finish, wstream_default_writer_close_finish (bad, some_result (), NULL))
BAD (wstream_default_writer_abort_async, wstream_default_writer_abort_async (bad, NULL, NULL, NULL, NULL))
BAD (wstream_default_writer_abort_finish, wstream_default_writer_abort_finish (bad, some_result (), NULL))
BAD (wstream_default_writer_wait_ready_async, wstream_default_writer_wait_ready_async (bad, NULL, NULL, NULL))
BAD (wstream_default_writer_wait_ready_finish, wstream_default_writer_wait_ready_finish (bad, some_result (), NULL))
BAD (wstream_default_writer_wait_closed_async, wstream_default_writer_wait_closed_async (bad, NULL, NULL, NULL))
BAD (wstream_default_writer_wait_closed_finish, wstream_default_writer_wait_closed_finish (bad, some_result (), NULL))
BAD (wstream_default_writer_get_desired_size, wstream_default_writer_get_desired_size (bad, &dummy_double, NULL))
BAD (wstream_default_writer_release_lock, wstream_default_writer_release_lock (bad))
BAD (wstream_default_writer_get_stream, wstream_default_writer_get_stream (bad))
BAD (wstream_default_writer_get_ready, wstream_default_writer_get_ready (bad))
BAD (wstream_default_writer_get_closed, wstream_default_writer_get_closed (bad))
BAD (wstream_default_writer_write_promise, wstream_default_writer_write_promise (bad, int_chunk ()))
BAD (wstream_default_writer_close_promise, wstream_default_writer_close_promise (bad))
BAD (wstream_default_writer_abort_promise, wstream_default_writer_abort_promise (bad, NULL))
/* A NULL sink is valid (the empty sink): the NULL case is an error that is
 * already set. */
static void
bad_wstream_writable_stream_new (gpointer bad)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "set");

  if (bad != NULL)
    wstream_writable_stream_new (bad, NULL, NULL);
  else
    wstream_writable_stream_new (NULL, NULL, &error);
}
BAD (wstream_writable_stream_is_locked, wstream_writable_stream_is_locked (bad))
BAD (wstream_writable_stream_get_state, wstream_writable_stream_get_state (bad))
BAD (wstream_writable_stream_get_sink, wstream_writable_stream_get_sink (bad))
BAD (wstream_writable_stream_get_strategy, wstream_writable_stream_get_strategy (bad))
BAD (wstream_writable_stream_get_writer, wstream_writable_stream_get_writer (bad, NULL))
BAD (wstream_writable_stream_abort_async, wstream_writable_stream_abort_async (bad, NULL, NULL, NULL, NULL))
BAD (wstream_writable_stream_abort_finish, wstream_writable_stream_abort_finish (bad, some_result (), NULL))
BAD (wstream_writable_stream_close_async, wstream_writable_stream_close_async (bad, NULL, NULL, NULL))
BAD (wstream_writable_stream_close_finish, wstream_writable_stream_close_finish (bad, some_result (), NULL))
BAD (wstream_writable_stream_close_promise, wstream_writable_stream_close_promise (bad))
BAD (wstream_writable_stream_abort_promise, wstream_writable_stream_abort_promise (bad, NULL))
BAD (wstream_writable_stream_pipe_from_input_stream_async,
     wstream_writable_stream_pipe_from_input_stream_async (bad, NULL, 0, 0, 0, NULL, NULL, NULL))
BAD (wstream_writable_stream_pipe_from_input_stream_finish,
     wstream_writable_stream_pipe_from_input_stream_finish (bad, some_result (), NULL, NULL))
BAD (wstream_writable_stream_new_for_output_stream, wstream_writable_stream_new_for_output_stream (bad, NULL, NULL))
BAD (wstream_queuing_strategy_new_custom, (void) bad; wstream_queuing_strategy_new_custom (1, NULL, NULL, NULL, NULL))
BAD (wstream_queuing_strategy_get_high_water_mark, wstream_queuing_strategy_get_high_water_mark (bad))
BAD (wstream_queuing_strategy_get_kind, wstream_queuing_strategy_get_kind (bad))
BAD (wstream_queuing_strategy_validate, wstream_queuing_strategy_validate (bad, NULL))
BAD (wstream_queuing_strategy_size, wstream_queuing_strategy_size (bad, int_chunk (), &dummy_double, NULL))
BAD (wstream_language_sink_new_strategy, wstream_language_sink_new_strategy (bad, 1, NULL))
BAD (wstream_language_sink_set_next_size, wstream_language_sink_set_next_size (bad, 1))
BAD (wstream_language_sink_set_next_size_error, wstream_language_sink_set_next_size_error (bad, NULL))
BAD (wstream_language_sink_watch, wstream_language_sink_watch (bad, NULL))
BAD (wstream_language_sink_write, wstream_language_sink_write (bad, NULL, int_chunk ()))
BAD (wstream_language_sink_next_event, wstream_language_sink_next_event (bad, &dummy_uint))
BAD (wstream_language_sink_get_event_chunk, wstream_language_sink_get_event_chunk (bad))
BAD (wstream_language_sink_get_event_error, wstream_language_sink_get_event_error (bad))
BAD (wstream_language_sink_settle, wstream_language_sink_settle (bad, 1, NULL))
BAD (wstream_language_sink_watch_ready, wstream_language_sink_watch_ready (bad, NULL))
BAD (wstream_language_sink_watch_closed, wstream_language_sink_watch_closed (bad, NULL))
BAD (wstream_language_sink_get_controller, wstream_language_sink_get_controller (bad))
BAD (wstream_language_sink_wants_size, wstream_language_sink_wants_size (bad))
BAD (wstream_output_stream_sink_new, wstream_output_stream_sink_new (bad))
BAD (wstream_output_stream_sink_get_base_stream, wstream_output_stream_sink_get_base_stream (bad))
BAD (wstream_output_stream_sink_get_io_priority, wstream_output_stream_sink_get_io_priority (bad))
BAD (wstream_output_stream_sink_set_io_priority, wstream_output_stream_sink_set_io_priority (bad, 0))
BAD (wstream_output_stream_sink_get_close_base_stream, wstream_output_stream_sink_get_close_base_stream (bad))
BAD (wstream_output_stream_sink_set_close_base_stream, wstream_output_stream_sink_set_close_base_stream (bad, TRUE))
BAD (wstream_output_stream_sink_get_blocking_writes, wstream_output_stream_sink_get_blocking_writes (bad))
BAD (wstream_output_stream_sink_set_blocking_writes, wstream_output_stream_sink_set_blocking_writes (bad, TRUE))
BAD (wstream_output_stream_new, wstream_output_stream_new (bad, NULL))
BAD (wstream_output_stream_get_stream, wstream_output_stream_get_stream (bad))

#define E(fn) { #fn, bad_##fn }
static const BadEntry bad_entries[] = {
  E (wstream_promise_resolve), E (wstream_promise_reject), E (wstream_promise_get_state),
  E (wstream_promise_get_value), E (wstream_promise_get_error), E (wstream_promise_wait_async),
  E (wstream_promise_wait_finish), E (wstream_promise_set_settled_callback),
  E (wstream_promise_resolve_now), E (wstream_promise_reject_now),
  E (wstream_sink_start), E (wstream_sink_write), E (wstream_sink_close), E (wstream_sink_abort),
  E (wstream_default_controller_error), E (wstream_default_controller_defer),
  E (wstream_default_controller_get_cancellable), E (wstream_default_controller_get_abort_reason),
  E (wstream_default_writer_new), E (wstream_default_writer_write_async),
  E (wstream_default_writer_write_bytes_async), E (wstream_default_writer_write_finish),
  E (wstream_default_writer_close_async), E (wstream_default_writer_close_finish),
  E (wstream_default_writer_abort_async), E (wstream_default_writer_abort_finish),
  E (wstream_default_writer_wait_ready_async), E (wstream_default_writer_wait_ready_finish),
  E (wstream_default_writer_wait_closed_async), E (wstream_default_writer_wait_closed_finish),
  E (wstream_default_writer_get_desired_size), E (wstream_default_writer_release_lock),
  E (wstream_default_writer_get_stream), E (wstream_default_writer_get_ready),
  E (wstream_default_writer_get_closed), E (wstream_default_writer_write_promise),
  E (wstream_default_writer_close_promise), E (wstream_default_writer_abort_promise),
  E (wstream_writable_stream_new), E (wstream_writable_stream_is_locked),
  E (wstream_writable_stream_get_state), E (wstream_writable_stream_get_sink),
  E (wstream_writable_stream_get_strategy), E (wstream_writable_stream_get_writer),
  E (wstream_writable_stream_abort_async), E (wstream_writable_stream_abort_finish),
  E (wstream_writable_stream_close_async), E (wstream_writable_stream_close_finish),
  E (wstream_writable_stream_close_promise), E (wstream_writable_stream_abort_promise),
  E (wstream_writable_stream_pipe_from_input_stream_async),
  E (wstream_writable_stream_pipe_from_input_stream_finish),
  E (wstream_writable_stream_new_for_output_stream),
  E (wstream_queuing_strategy_new_custom), E (wstream_queuing_strategy_get_high_water_mark),
  E (wstream_queuing_strategy_get_kind), E (wstream_queuing_strategy_validate),
  E (wstream_queuing_strategy_size),
  E (wstream_language_sink_new_strategy), E (wstream_language_sink_set_next_size),
  E (wstream_language_sink_set_next_size_error), E (wstream_language_sink_watch),
  E (wstream_language_sink_write), E (wstream_language_sink_next_event),
  E (wstream_language_sink_get_event_chunk), E (wstream_language_sink_get_event_error),
  E (wstream_language_sink_settle), E (wstream_language_sink_get_controller),
  E (wstream_language_sink_wants_size), E (wstream_language_sink_watch_ready),
  E (wstream_language_sink_watch_closed),
  E (wstream_output_stream_sink_new), E (wstream_output_stream_sink_get_base_stream),
  E (wstream_output_stream_sink_get_io_priority), E (wstream_output_stream_sink_set_io_priority),
  E (wstream_output_stream_sink_get_close_base_stream),
  E (wstream_output_stream_sink_set_close_base_stream),
  E (wstream_output_stream_sink_get_blocking_writes),
  E (wstream_output_stream_sink_set_blocking_writes),
  E (wstream_output_stream_new), E (wstream_output_stream_get_stream),
};

/* Public functions without an argument that can be NULL or of the wrong
 * type: nothing to check there. */
static const char *no_pointer_args[] = {
  "wstream_promise_new",
  "wstream_queuing_strategy_new_count",
  "wstream_queuing_strategy_new_byte_length",
  "wstream_language_sink_new",
  "wstream_error_quark",
  NULL
};

static void
test_bad_self (gconstpointer data)
{
  const BadEntry *entry = data;
  const char *kind = strstr (g_test_get_path (), "/wrong-type/") ? "wrong-type" : "null";

  if (g_test_subprocess ())
    {
      gpointer bad = NULL;

      if (strcmp (kind, "wrong-type") == 0)
        bad = g_object_new (G_TYPE_OBJECT, NULL);   /* an object, of no wstream type */
      entry->call (bad);
      return;   /* reached only if nothing complained */
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* Every public function is in bad_entries or in no_pointer_args: a new
 * function without a hostile-input case makes this test fail. */
static void
test_every_public_function_is_covered (void)
{
  const char *headers[] = {
    "wstream-promise.h", "wstream-sink.h", "wstream-default-controller.h",
    "wstream-default-writer.h", "wstream-writable-stream.h", "wstream-queuing-strategy.h",
    "wstream-language-layer.h", "wstream-output-stream-sink.h", "wstream-output-stream.h",
    "wstream-pipe.h", "wstream-error.h", NULL
  };
  g_autoptr (GRegex) decl = g_regex_new ("^[A-Za-z][A-Za-z0-9_ *]*?\\b(wstream_[a-z0-9_]+)\\s*\\(",
                                         G_REGEX_MULTILINE, 0, NULL);
  guint missing = 0, seen = 0;

  for (guint h = 0; headers[h] != NULL; h++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "wstream", headers[h], NULL);
      g_autofree char *text = NULL;
      g_autoptr (GMatchInfo) match = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;   /* a header another area has not written yet */
      g_regex_match (decl, text, 0, &match);
      for (; g_match_info_matches (match); g_match_info_next (match, NULL))
        {
          g_autofree char *name = g_match_info_fetch (match, 1);
          gboolean found = g_strv_contains (no_pointer_args, name) || g_str_has_suffix (name, "_get_type");

          for (guint i = 0; !found && i < G_N_ELEMENTS (bad_entries); i++)
            found = strcmp (bad_entries[i].name, name) == 0;
          seen++;
          if (!found)
            {
              g_test_message ("no hostile-input case for %s (%s)", name, headers[h]);
              missing++;
            }
        }
    }
  g_assert_cmpuint (seen, >, 50);
  g_assert_cmpuint (missing, ==, 0);
}

/* Bad arguments other than self. */
static void
test_bad_argument (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr (WStreamWritableStream) stream = make_stream (NULL, NULL);
      g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);
      const char *which = data;
      GValue unset = G_VALUE_INIT;

      if (strcmp (which, "null-chunk") == 0)
        wstream_default_writer_write_async (writer, NULL, NULL, NULL, NULL);
      else if (strcmp (which, "unset-chunk") == 0)
        wstream_default_writer_write_async (writer, &unset, NULL, NULL, NULL);
      else if (strcmp (which, "null-bytes") == 0)
        wstream_default_writer_write_bytes_async (writer, NULL, NULL, NULL, NULL);
      else if (strcmp (which, "null-out-size") == 0)
        wstream_default_writer_get_desired_size (writer, NULL, NULL);
      else if (strcmp (which, "null-result") == 0)
        wstream_default_writer_write_finish (writer, NULL, NULL);
      else if (strcmp (which, "foreign-result") == 0)
        {
          /* A GAsyncResult of some other call. */
          g_autoptr (GTask) task = g_task_new (writer, NULL, NULL, NULL);
          wstream_default_writer_close_finish (writer, G_ASYNC_RESULT (task), NULL);
        }
      else if (strcmp (which, "non-sink") == 0)
        {
          g_autoptr (GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
          wstream_writable_stream_new ((WStreamSink *) object, NULL, NULL);
        }
      else if (strcmp (which, "non-strategy") == 0)
        {
          g_autoptr (GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
          wstream_writable_stream_new (NULL, (WStreamQueuingStrategy *) object, NULL);
        }
      else if (strcmp (which, "error-set") == 0)
        {
          GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "already set");
          wstream_writable_stream_get_writer (stream, &error);   /* *error != NULL */
        }
      else if (strcmp (which, "size-null-chunk") == 0)
        {
          g_autoptr (WStreamQueuingStrategy) s = wstream_queuing_strategy_new_count (1, NULL);
          double size;
          wstream_queuing_strategy_size (s, NULL, &size, NULL);
        }
      else
        g_assert_not_reached ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

static const char *bad_argument_cases[] = {
  "null-chunk", "unset-chunk", "null-bytes", "null-out-size", "null-result",
  "foreign-result", "non-sink", "non-strategy", "error-set", "size-null-chunk", NULL
};

/* ---------------------------------------------------------------------- */
/* Calls from another thread                                               */
/* ---------------------------------------------------------------------- */

typedef struct
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  TestSink *sink;
  const char *what;
} ThreadCase;

static gpointer
other_thread (gpointer data)
{
  ThreadCase *tc = data;
  double size;

  if (strcmp (tc->what, "write") == 0)
    wstream_default_writer_write_async (tc->writer, int_chunk (), NULL, NULL, NULL);
  else if (strcmp (tc->what, "close") == 0)
    wstream_default_writer_close_async (tc->writer, NULL, NULL, NULL);
  else if (strcmp (tc->what, "abort") == 0)
    wstream_writable_stream_abort_async (tc->stream, NULL, NULL, NULL, NULL);
  else if (strcmp (tc->what, "get-writer") == 0)
    wstream_writable_stream_get_writer (tc->stream, NULL);
  else if (strcmp (tc->what, "desired-size") == 0)
    wstream_default_writer_get_desired_size (tc->writer, &size, NULL);
  else if (strcmp (tc->what, "release") == 0)
    wstream_default_writer_release_lock (tc->writer);
  else if (strcmp (tc->what, "controller-error") == 0)
    wstream_default_controller_error (tc->sink->controller, NULL);
  else if (strcmp (tc->what, "wait-ready") == 0)
    wstream_default_writer_wait_ready_async (tc->writer, NULL, NULL, NULL);
  else
    g_assert_not_reached ();
  return NULL;
}

static const char *thread_cases[] = {
  "write", "close", "abort", "get-writer", "desired-size", "release",
  "controller-error", "wait-ready", NULL
};

static void
test_other_thread (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr (TestSink) sink = test_sink_new ();
      ThreadCase tc;
      GThread *thread;

      sink->quiet = TRUE;
      tc.sink = sink;
      tc.stream = make_stream (sink, NULL);
      tc.writer = wstream_writable_stream_get_writer (tc.stream, NULL);
      tc.what = data;
      run_until_idle ();
      thread = g_thread_new ("hostile", other_thread, &tc);
      g_thread_join (thread);
      g_object_unref (tc.writer);
      g_object_unref (tc.stream);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* ---------------------------------------------------------------------- */
/* Calls on a released writer                                              */
/* ---------------------------------------------------------------------- */

static void
test_released_writer (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (WStreamDefaultWriter) second = NULL;
  g_autoptr (GError) error = NULL;
  double size = 42;

  sink->quiet = TRUE;
  stream = make_stream (sink, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  run_until_idle ();
  wstream_default_writer_release_lock (writer);
  wstream_default_writer_release_lock (writer);   /* a no-op, as in the Standard */
  g_assert_false (wstream_writable_stream_is_locked (stream));
  g_assert_null (wstream_default_writer_get_stream (writer));

  write_int (writer, 1, "write");
  wstream_default_writer_close_async (writer, NULL, on_close, "close");
  wstream_default_writer_abort_async (writer, NULL, NULL, on_abort, "abort");
  wstream_default_writer_wait_ready_async (writer, NULL, on_ready, "ready");
  wstream_default_writer_wait_closed_async (writer, NULL, on_closed, "closed");
  g_assert_cmpuint (log_get ()->len, ==, 0);   /* never inside the call */
  g_assert_false (wstream_default_writer_get_desired_size (writer, &size, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_RELEASED);
  run_until_idle ();
  assert_log ("write released", "close released", "abort released",
              "ready released", "closed released");
  g_assert_cmpuint (sink->written->len, ==, 0);

  /* The stream is unharmed: a new writer works. */
  second = wstream_writable_stream_get_writer (stream, NULL);
  write_int (second, 2, "write 2");
  run_until_idle ();
  assert_log ("write 2 ok");
  g_assert_cmpuint (sink->written->len, ==, 1);
}

/* ---------------------------------------------------------------------- */
/* Sinks that misbehave                                                    */
/* ---------------------------------------------------------------------- */

static void
test_sink_false_without_error (void)
{
  const char *ops[] = { "start", "write", "close", "abort" };

  for (guint op = 0; op < G_N_ELEMENTS (ops); op++)
    {
      g_autoptr (TestSink) sink = test_sink_new ();
      g_autoptr (WStreamWritableStream) stream = NULL;
      g_autoptr (WStreamDefaultWriter) writer = NULL;
      g_autoptr (GError) error = NULL;

      g_test_message ("%s returns FALSE without an error", ops[op]);
      sink->quiet = TRUE;
      switch (op)
        {
        case 0: sink->start_mode = SINK_FAIL_NO_ERROR; break;
        case 1: sink->write_mode = SINK_FAIL_NO_ERROR; break;
        case 2: sink->close_mode = SINK_FAIL_NO_ERROR; break;
        case 3: sink->abort_mode = SINK_FAIL_NO_ERROR; break;
        }
      stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, &error);
      if (op == 0)
        {
          /* A start() that fails now makes construction fail. */
          g_assert_null (stream);
          g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_FAILED);
          continue;
        }
      g_assert_no_error (error);
      writer = wstream_writable_stream_get_writer (stream, NULL);
      run_until_idle ();
      if (op == 1)
        {
          write_int (writer, 1, "write");
          run_until_idle ();
          assert_log ("write failed");
          g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
        }
      else if (op == 2)
        {
          wstream_default_writer_close_async (writer, NULL, on_close, "close");
          wstream_default_writer_wait_closed_async (writer, NULL, on_closed, "closed");
          run_until_idle ();
          assert_log ("close failed", "closed failed");
          g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
        }
      else
        {
          g_autoptr (GError) reason = make_error ("E1");

          wstream_default_writer_abort_async (writer, reason, NULL, on_abort, "abort");
          wstream_default_writer_wait_closed_async (writer, NULL, on_closed, "closed");
          run_until_idle ();
          /* The abort promise gets the sink's failure, closed the reason. */
          assert_log ("abort failed", "closed E1");
        }
    }
}

static void
test_sink_never_settles_then_abort (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) reason = make_error ("E1");
  GCancellable *signal;

  sink->quiet = TRUE;
  sink->write_mode = SINK_DEFER;
  stream = make_stream (sink, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  run_until_idle ();
  write_int (writer, 1, "write");
  write_int (writer, 2, "write 2");
  run_until_idle ();
  g_assert_nonnull (sink->pending);

  signal = wstream_default_controller_get_cancellable (sink->controller);
  wstream_default_writer_abort_async (writer, reason, NULL, on_abort, "abort");
  /* The signal fires inside abort(); the sink's abort waits for the write,
   * which never comes: nothing settles, nothing spins. */
  g_assert_true (g_cancellable_is_cancelled (signal));
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (log_get ()->len, ==, 0);
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORING);

  /* The sink gives up on the promise without settling it. */
  g_clear_object (&sink->pending);
  run_until_idle ();
  assert_log ("write failed", "write 2 E1", "abort ok");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
}

static void
test_deferred_settled_twice (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (WStreamPromise) promise = NULL;
  g_autoptr (GError) late = make_error ("late");

  sink->quiet = TRUE;
  sink->write_mode = SINK_DEFER;
  stream = make_stream (sink, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  run_until_idle ();
  write_int (writer, 1, "write");
  run_until_idle ();
  promise = g_object_ref (sink->pending);
  test_sink_resolve (sink);
  g_assert_false (wstream_promise_resolve (promise, NULL));
  g_assert_false (wstream_promise_reject (promise, late));
  g_assert_cmpint (wstream_promise_get_state (promise), ==, WSTREAM_PROMISE_FULFILLED);
  run_until_idle ();
  assert_log ("write ok");
  g_assert_false (wstream_promise_reject (promise, late));
  run_until_idle ();
  g_assert_cmpuint (log_get ()->len, ==, 0);
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_WRITABLE);
}

static void
test_defer_outside_sink_call (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (TestSink) sink = test_sink_new ();
      g_autoptr (WStreamWritableStream) stream = NULL;

      sink->quiet = TRUE;
      stream = make_stream (sink, NULL);
      run_until_idle ();
      wstream_default_controller_defer (sink->controller);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* ---------------------------------------------------------------------- */
/* Strategies and sizes                                                    */
/* ---------------------------------------------------------------------- */

typedef struct
{
  WStreamDefaultWriter *writer;
  WStreamWritableStream *stream;
  TestSink *sink;
  const char *action;
  int calls;
  double result;
} SizeCtx;

static gboolean
reentrant_size (const GValue  *chunk,
                double        *out_size,
                gpointer       user_data,
                GError       **error)
{
  SizeCtx *ctx = user_data;
  int n = g_value_get_int (chunk);

  ctx->calls++;
  log_event ("size %d", n);
  if (n == 1)   /* only the outer write re-enters */
    {
      if (strcmp (ctx->action, "write") == 0)
        write_int (ctx->writer, 2, "inner write");
      else if (strcmp (ctx->action, "abort") == 0)
        {
          g_autoptr (GError) reason = make_error ("E1");
          wstream_default_writer_abort_async (ctx->writer, reason, NULL, on_abort, "abort");
        }
      else if (strcmp (ctx->action, "release") == 0)
        wstream_default_writer_release_lock (ctx->writer);
      else if (strcmp (ctx->action, "error") == 0)
        {
          g_autoptr (GError) reason = make_error ("E2");
          wstream_default_controller_error (ctx->sink->controller, reason);
        }
      else if (strcmp (ctx->action, "close") == 0)
        wstream_default_writer_close_async (ctx->writer, NULL, on_close, "close");
    }
  *out_size = ctx->result;
  return TRUE;
}

static void
run_reentrant_size (const char *action)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamQueuingStrategy) strategy = NULL;
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  SizeCtx ctx = { 0, };

  ctx.action = action;
  ctx.result = 1;
  ctx.sink = sink;
  sink->quiet = TRUE;
  strategy = wstream_queuing_strategy_new_custom (4, reentrant_size, &ctx, NULL, NULL);
  stream = make_stream (sink, strategy);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  ctx.writer = writer;
  run_until_idle ();
  write_int (writer, 1, "outer write");
  run_until_idle ();
}

static void
test_size_reenters (void)
{
  /* Orders as in the Standard (checked against Node by the differential
   * test): the size function runs before the write is queued. */
  run_reentrant_size ("write");
  assert_log ("size 1", "size 2", "inner write ok", "outer write ok");
  run_reentrant_size ("abort");
  assert_log ("size 1", "outer write E1", "abort ok");
  run_reentrant_size ("release");
  assert_log ("size 1", "outer write released");
  run_reentrant_size ("error");
  assert_log ("size 1", "outer write E2");
  run_reentrant_size ("close");
  assert_log ("size 1", "outer write closed", "close ok");
}

/* ---------------------------------------------------------------------- */
/* A chunk whose copy runs user code                                       */
/* ---------------------------------------------------------------------- */

/* The stream copies a chunk that is not a GBytes; a boxed type's copy
 * function is user code and may re-enter. The copy is made before any of
 * the write's steps, so re-entering is as safe as from a size function. */
typedef struct
{
  int n;
} Reentrant;

static SizeCtx *copy_ctx;

static void run_copy_action (SizeCtx *ctx);

static gpointer
reentrant_copy (gpointer boxed)
{
  Reentrant *copy = g_memdup2 (boxed, sizeof (Reentrant));
  SizeCtx *ctx = copy_ctx;

  if (ctx != NULL && copy->n == 1 && ctx->calls++ == 0)   /* the outer write's copy */
    {
      log_event ("copy 1");
      run_copy_action (ctx);
    }
  return copy;
}

GType reentrant_get_type (void);
G_DEFINE_BOXED_TYPE (Reentrant, reentrant, reentrant_copy, g_free)

static void
run_copy_action (SizeCtx *ctx)
{
  if (strcmp (ctx->action, "write") == 0)
    write_int (ctx->writer, 2, "inner write");
  else if (strcmp (ctx->action, "abort") == 0)
    {
      g_autoptr (GError) reason = make_error ("E1");
      wstream_default_writer_abort_async (ctx->writer, reason, NULL, on_abort, "abort");
    }
  else if (strcmp (ctx->action, "release") == 0)
    {
      wstream_default_writer_release_lock (ctx->writer);
      g_clear_object (&ctx->stream);   /* the writer was the last one holding it */
    }
  else if (strcmp (ctx->action, "error") == 0)
    {
      g_autoptr (GError) reason = make_error ("E2");
      wstream_default_controller_error (ctx->sink->controller, reason);
    }
  else if (strcmp (ctx->action, "close") == 0)
    wstream_default_writer_close_async (ctx->writer, NULL, on_close, "close");
}

static void
log_sink_chunk (TestSink     *sink,
                const GValue *chunk,
                gpointer      data)
{
  if (G_VALUE_HOLDS (chunk, reentrant_get_type ()))
    log_event ("sink box %d", ((Reentrant *) g_value_get_boxed (chunk))->n);
  else
    log_event ("sink int %d", g_value_get_int (chunk));
}

static void
run_reentrant_copy (const char *action,
                    gboolean    idle)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  gpointer weak_stream = NULL;
  SizeCtx ctx = { 0, };
  Reentrant outer = { 1 };
  GValue value = G_VALUE_INIT;

  ctx.action = action;
  ctx.sink = sink;
  sink->quiet = TRUE;
  sink->on_write = log_sink_chunk;
  ctx.stream = make_stream (sink, NULL);
  weak (&weak_stream, ctx.stream);
  writer = wstream_writable_stream_get_writer (ctx.stream, NULL);
  ctx.writer = writer;
  run_until_idle ();
  if (!idle)
    write_int (writer, 0, "first write");   /* the outer write queues behind it */

  copy_ctx = &ctx;
  g_value_init (&value, reentrant_get_type ());
  g_value_set_static_boxed (&value, &outer);
  wstream_default_writer_write_async (writer, &value, NULL, on_write, "outer write");
  g_value_unset (&value);
  copy_ctx = NULL;
  run_until_idle ();

  g_clear_object (&ctx.stream);
  g_clear_object (&writer);
  run_until_idle ();
  g_assert_null (weak_stream);
}

static void
test_copy_reenters (void)
{
  run_reentrant_copy ("write", TRUE);
  assert_log ("copy 1", "sink int 2", "sink box 1", "inner write ok", "outer write ok");
  run_reentrant_copy ("write", FALSE);
  assert_log ("sink int 0", "copy 1", "sink int 2", "first write ok", "sink box 1",
              "inner write ok", "outer write ok");
  run_reentrant_copy ("abort", TRUE);
  assert_log ("copy 1", "outer write E1", "abort ok");
  run_reentrant_copy ("release", TRUE);
  assert_log ("copy 1", "outer write released");
  run_reentrant_copy ("error", TRUE);
  assert_log ("copy 1", "outer write E2");
  run_reentrant_copy ("close", TRUE);
  assert_log ("copy 1", "outer write closed", "close ok");
}

static gboolean
fixed_size (const GValue  *chunk,
            double        *out_size,
            gpointer       user_data,
            GError       **error)
{
  *out_size = *(double *) user_data;
  return TRUE;
}

static void
test_invalid_sizes (void)
{
  double sizes[] = { NAN, -1, -INFINITY, INFINITY };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (TestSink) sink = test_sink_new ();
      g_autoptr (WStreamQueuingStrategy) strategy = NULL;
      g_autoptr (WStreamWritableStream) stream = NULL;
      g_autoptr (WStreamDefaultWriter) writer = NULL;

      g_test_message ("size %g", sizes[i]);
      sink->quiet = TRUE;
      strategy = wstream_queuing_strategy_new_custom (1, fixed_size, &sizes[i], NULL, NULL);
      stream = make_stream (sink, strategy);
      writer = wstream_writable_stream_get_writer (stream, NULL);
      run_until_idle ();
      write_int (writer, 1, "write");
      wstream_default_writer_wait_closed_async (writer, NULL, on_closed, "closed");
      run_until_idle ();
      assert_log ("write invalid-size", "closed invalid-size");
      g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
      g_assert_cmpuint (sink->written->len, ==, 0);
    }
}

static void
test_invalid_high_water_marks (void)
{
  double bad[] = { NAN, -1, -INFINITY };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (WStreamQueuingStrategy) count = wstream_queuing_strategy_new_count (bad[i], &error);

      g_assert_null (count);
      g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK);
      g_clear_error (&error);
      g_assert_null (wstream_queuing_strategy_new_byte_length (bad[i], &error));
      g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK);
      g_clear_error (&error);
      g_assert_null (wstream_queuing_strategy_new_custom (bad[i], fixed_size, &bad[i], NULL, &error));
      g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK);
    }

  /* +inf is valid: never any backpressure. */
  {
    g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (INFINITY, NULL);
    g_autoptr (TestSink) sink = test_sink_new ();
    g_autoptr (WStreamWritableStream) stream = NULL;
    g_autoptr (WStreamDefaultWriter) writer = NULL;
    double size = 0;

    sink->quiet = TRUE;
    sink->write_mode = SINK_DEFER;
    stream = make_stream (sink, strategy);
    writer = wstream_writable_stream_get_writer (stream, NULL);
    for (int i = 0; i < 1000; i++)
      wstream_default_writer_write_async (writer, int_chunk (), NULL, NULL, NULL);
    g_assert_true (wstream_default_writer_get_desired_size (writer, &size, NULL));
    g_assert_true (isinf (size) && size > 0);
    wstream_default_writer_wait_ready_async (writer, NULL, on_ready, "ready");
    run_until_idle ();
    assert_log ("ready ok");
    /* Release the chunks: abort. */
    wstream_writable_stream_abort_async (stream, NULL, NULL, NULL, NULL);
    wstream_default_writer_release_lock (writer);
    g_clear_object (&sink->pending);
    run_until_idle ();
  }
}

static void
test_unsupported_chunk_types (void)
{
  GType types[] = { G_TYPE_INT, G_TYPE_DOUBLE, G_TYPE_OBJECT, G_TYPE_VARIANT, G_TYPE_POINTER };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_byte_length (16, NULL);
      g_autoptr (TestSink) sink = test_sink_new ();
      g_autoptr (WStreamWritableStream) stream = NULL;
      g_autoptr (WStreamDefaultWriter) writer = NULL;
      GValue value = G_VALUE_INIT;
      gpointer object_weak = NULL;

      g_test_message ("byte-length strategy, chunk of type %s", g_type_name (types[i]));
      sink->quiet = TRUE;
      stream = make_stream (sink, strategy);
      writer = wstream_writable_stream_get_writer (stream, NULL);
      run_until_idle ();
      g_value_init (&value, types[i]);
      if (types[i] == G_TYPE_OBJECT)
        {
          g_value_take_object (&value, g_object_new (G_TYPE_OBJECT, NULL));
          weak (&object_weak, g_value_get_object (&value));
        }
      else if (types[i] == G_TYPE_VARIANT)
        g_value_take_variant (&value, g_variant_ref_sink (g_variant_new_string ("x")));
      wstream_default_writer_write_async (writer, &value, NULL, on_write, "write");
      g_value_unset (&value);
      run_until_idle ();
      assert_log ("write invalid-chunk-type");
      g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
      g_assert_null (object_weak);   /* the stream kept no copy */
    }
}

/* whatwg/streams#1218: ProcessClose clears the size algorithm while the
 * state is still "writable"; a write then must not reach the (cleared) size
 * function nor assert, and is rejected as closing.  Found by the
 * differential test (regressions.seq). */
static void
test_write_while_close_in_flight (void)
{
  double one = 1;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_custom (4, fixed_size, &one, NULL, NULL);
  g_autoptr (WStreamQueuingStrategy) bytes = wstream_queuing_strategy_new_byte_length (4, NULL);
  WStreamQueuingStrategy *strategies[] = { strategy, bytes };

  for (guint i = 0; i < G_N_ELEMENTS (strategies); i++)
    {
      g_autoptr (TestSink) sink = test_sink_new ();
      g_autoptr (WStreamWritableStream) stream = NULL;
      g_autoptr (WStreamDefaultWriter) writer = NULL;
      g_autoptr (GBytes) chunk = g_bytes_new_static ("abc", 3);

      sink->quiet = TRUE;
      sink->close_mode = SINK_DEFER;
      stream = make_stream (sink, strategies[i]);
      writer = wstream_writable_stream_get_writer (stream, NULL);
      run_until_idle ();
      wstream_default_writer_close_async (writer, NULL, on_close, "close");
      run_until_idle ();
      g_assert_nonnull (sink->pending);   /* the sink's close is in flight */
      wstream_default_writer_write_bytes_async (writer, chunk, NULL, on_write, "write");
      run_until_idle ();
      assert_log ("write closed");
      test_sink_resolve (sink);
      run_until_idle ();
      assert_log ("close ok");
      g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
    }
}

/* ---------------------------------------------------------------------- */
/* Dropping every reference in the middle of each operation                */
/* ---------------------------------------------------------------------- */

typedef struct
{
  gpointer stream, writer, sink, controller;
} Weaks;

static void
test_drop_everything_mid_operation (void)
{
  const char *ops[] = { "start", "write", "close", "abort", "stream-abort", "stream-close" };

  for (guint op = 0; op < G_N_ELEMENTS (ops); op++)
    for (int settle = 0; settle < 3; settle++)   /* resolve, reject, drop the promise */
      {
        TestSink *sink = test_sink_new ();
        WStreamWritableStream *stream;
        WStreamDefaultWriter *writer;
        WStreamPromise *pending;
        Weaks w = { 0, };
        g_autoptr (GError) reason = make_error ("E1");

        g_test_message ("dropping everything while %s is pending, then settle %d", ops[op], settle);
        sink->quiet = TRUE;
        sink->start_mode = op == 0 ? SINK_DEFER : SINK_OK;
        sink->write_mode = op == 1 ? SINK_DEFER : SINK_OK;
        sink->close_mode = (op == 2 || op == 5) ? SINK_DEFER : SINK_OK;
        sink->abort_mode = (op == 3 || op == 4) ? SINK_DEFER : SINK_OK;
        stream = make_stream (sink, NULL);
        writer = wstream_writable_stream_get_writer (stream, NULL);
        weak (&w.stream, stream);
        weak (&w.writer, writer);
        weak (&w.sink, sink);
        weak (&w.controller, sink->controller);
        run_until_idle ();

        switch (op)
          {
          case 0:
            write_int (writer, 1, "write");
            break;
          case 1:
            write_int (writer, 1, "write");
            break;
          case 2:
            wstream_default_writer_close_async (writer, NULL, on_close, "close");
            break;
          case 3:
            wstream_default_writer_abort_async (writer, reason, NULL, on_abort, "abort");
            break;
          case 4:
            wstream_default_writer_release_lock (writer);
            wstream_writable_stream_abort_async (stream, reason, NULL, NULL, NULL);
            break;
          case 5:
            wstream_default_writer_release_lock (writer);
            wstream_writable_stream_close_async (stream, NULL, NULL, NULL);
            break;
          }
        /* (A wait on a closed promise that can never settle would keep
         * the writer alive: only wait where the operation settles it.) */
        if (op >= 2)
          wstream_default_writer_wait_closed_async (writer, NULL, on_closed, "closed");
        run_until_idle ();
        g_assert_nonnull (sink->pending);
        pending = g_steal_pointer (&sink->pending);

        /* Drop every reference we hold, the sink's included. */
        g_object_unref (writer);
        g_object_unref (stream);
        g_object_unref (sink);
        run_until_idle ();
        /* Pending work keeps alive what it needs. */
        g_assert_nonnull (w.stream);

        if (settle == 0)
          g_assert_true (wstream_promise_resolve (pending, NULL));
        else if (settle == 1)
          g_assert_true (wstream_promise_reject (pending, reason));
        g_object_unref (pending);
        run_until_idle ();
        g_assert_null (w.stream);
        g_assert_null (w.writer);
        g_assert_null (w.sink);
        g_assert_null (w.controller);
        log_reset ();
      }
}

/* The sink drops the user's last references from inside its own vfunc. */
static void
drop_from_write (TestSink     *sink,
                 const GValue *chunk,
                 gpointer      data)
{
  gpointer *refs = data;

  g_clear_object (&refs[0]);   /* writer */
  g_clear_object (&refs[1]);   /* stream */
}

static void
test_drop_everything_inside_sink_write (void)
{
  for (int mode = 0; mode < 3; mode++)
    {
      TestSink *sink = test_sink_new ();
      gpointer refs[2];
      Weaks w = { 0, };

      sink->quiet = TRUE;
      sink->write_mode = mode == 0 ? SINK_OK : mode == 1 ? SINK_FAIL : SINK_DEFER;
      refs[1] = make_stream (sink, NULL);
      refs[0] = wstream_writable_stream_get_writer (refs[1], NULL);
      weak (&w.stream, refs[1]);
      weak (&w.writer, refs[0]);
      weak (&w.sink, sink);
      sink->on_write = drop_from_write;
      sink->hook_data = refs;
      run_until_idle ();
      write_int (refs[0], 1, "write");
      g_assert_null (refs[0]);
      g_object_unref (sink);
      run_until_idle ();
      if (mode == 2)
        {
          WStreamPromise *pending = g_steal_pointer (&TEST_SINK (w.sink)->pending);
          g_assert_nonnull (w.stream);
          g_object_unref (pending);   /* never settled: rejected with FAILED */
          run_until_idle ();
        }
      g_assert_null (w.stream);
      g_assert_null (w.writer);
      g_assert_null (w.sink);
      log_reset ();
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad_entries); i++)
    {
      g_autofree char *p1 = g_strdup_printf ("/hostile/null/%s", bad_entries[i].name);
      g_autofree char *p2 = g_strdup_printf ("/hostile/wrong-type/%s", bad_entries[i].name);

      g_test_add_data_func (p1, &bad_entries[i], test_bad_self);
      g_test_add_data_func (p2, &bad_entries[i], test_bad_self);
    }
  g_test_add_func ("/hostile/every-public-function-is-covered", test_every_public_function_is_covered);
  for (guint i = 0; bad_argument_cases[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/hostile/bad-argument/%s", bad_argument_cases[i]);
      g_test_add_data_func (path, bad_argument_cases[i], test_bad_argument);
    }
  for (guint i = 0; thread_cases[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/hostile/another-thread/%s", thread_cases[i]);
      g_test_add_data_func (path, thread_cases[i], test_other_thread);
    }
  g_test_add_func ("/hostile/released-writer-rejects-everything", test_released_writer);
  g_test_add_func ("/hostile/sink-false-without-error-is-a-failure", test_sink_false_without_error);
  g_test_add_func ("/hostile/sink-never-settles-then-abort", test_sink_never_settles_then_abort);
  g_test_add_func ("/hostile/deferred-promise-settled-twice", test_deferred_settled_twice);
  g_test_add_func ("/hostile/defer-outside-a-sink-call-is-a-critical", test_defer_outside_sink_call);
  g_test_add_func ("/hostile/size-function-reenters", test_size_reenters);
  g_test_add_func ("/hostile/chunk-copy-reenters", test_copy_reenters);
  g_test_add_func ("/hostile/invalid-sizes-error-the-stream", test_invalid_sizes);
  g_test_add_func ("/hostile/invalid-high-water-marks", test_invalid_high_water_marks);
  g_test_add_func ("/hostile/unsupported-chunk-types", test_unsupported_chunk_types);
  g_test_add_func ("/hostile/write-while-close-in-flight", test_write_while_close_in_flight);
  g_test_add_func ("/hostile/drop-everything-mid-operation", test_drop_everything_mid_operation);
  g_test_add_func ("/hostile/drop-everything-inside-sink-write", test_drop_everything_inside_sink_write);

  return g_test_run ();
}
