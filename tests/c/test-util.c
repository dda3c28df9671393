/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>

#include "test-util.h"

static GPtrArray *events;

void
log_reset (void)
{
  if (events == NULL)
    events = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_set_size (events, 0);
}

void
log_event (const char *format, ...)
{
  va_list args;

  if (events == NULL)
    log_reset ();
  va_start (args, format);
  g_ptr_array_add (events, g_strdup_vprintf (format, args));
  va_end (args);
}

GPtrArray *
log_get (void)
{
  if (events == NULL)
    log_reset ();
  return events;
}

char *
log_joined (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < log_get ()->len; i++)
    g_string_append_printf (s, "%s\"%s\"", i ? ", " : "", (char *) log_get ()->pdata[i]);
  return g_string_free (s, FALSE);
}

void
assert_log_impl (const char  *file,
                 int          line,
                 const char **expected)
{
  GPtrArray *actual = log_get ();
  gboolean same = TRUE;
  guint n = 0;

  while (expected[n] != NULL)
    n++;
  if (n != actual->len)
    same = FALSE;
  for (guint i = 0; same && i < n; i++)
    if (g_strcmp0 (expected[i], actual->pdata[i]) != 0)
      same = FALSE;

  if (!same)
    {
      g_autofree char *got = log_joined ();
      GString *want = g_string_new (NULL);

      for (guint i = 0; i < n; i++)
        g_string_append_printf (want, "%s\"%s\"", i ? ", " : "", expected[i]);
      g_test_message ("%s:%d\n  expected: %s\n  actual:   %s", file, line, want->str, got);
      g_string_free (want, TRUE);
      g_test_fail ();
      g_error ("%s:%d: event log differs: got %s", file, line, got);
    }
  log_reset ();
}

void
run_until_idle (void)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (g_main_context_iteration (context, FALSE))
    ;
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("timed out waiting for a condition");
  return G_SOURCE_REMOVE;
}

void
run_until_true (const gboolean *flag)
{
  GMainContext *context = g_main_context_get_thread_default ();
  GSource *timeout = g_timeout_source_new_seconds (60);

  g_source_set_callback (timeout, timeout_cb, NULL, NULL);
  g_source_attach (timeout, context);
  while (!*flag)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
}

char *
chunk_to_string (const GValue *chunk)
{
  if (G_VALUE_HOLDS_STRING (chunk))
    return g_strdup (g_value_get_string (chunk));
  if (G_VALUE_HOLDS_INT (chunk))
    return g_strdup_printf ("%d", g_value_get_int (chunk));
  if (G_VALUE_HOLDS (chunk, G_TYPE_BYTES))
    {
      GBytes *bytes = g_value_get_boxed (chunk);
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);
      return g_strndup (data, len);
    }
  return g_strdup_value_contents (chunk);
}

void
value_set_string_chunk (GValue     *value,
                        const char *s)
{
  g_value_init (value, G_TYPE_STRING);
  g_value_set_string (value, s);
}

GError *
make_error (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
}

/* The Standard's TypeError and RangeError cases are logged as the class
 * name, as the Node scenarios (node-scenarios.mjs) log them. */
const char *
error_to_string (const GError *error)
{
  if (error->domain == WSTREAM_ERROR)
    switch (error->code)
      {
      case WSTREAM_ERROR_LOCKED:
      case WSTREAM_ERROR_RELEASED:
      case WSTREAM_ERROR_CLOSED:
      case WSTREAM_ERROR_ERRORED:
      case WSTREAM_ERROR_INVALID_CHUNK_TYPE:
        return "TypeError";
      case WSTREAM_ERROR_INVALID_SIZE:
      case WSTREAM_ERROR_INVALID_HIGH_WATER_MARK:
        return "RangeError";
      default:
        break;
      }
  return error->message;
}

static void
log_outcome (const char *label,
             gboolean    ok,
             GError     *error)
{
  if (ok)
    log_event ("%s ok", label);
  else
    log_event ("%s rejected %s", label, error_to_string (error));
}

void
log_desired (WStreamDefaultWriter *writer)
{
  g_autoptr (GError) error = NULL;
  double desired;

  if (wstream_default_writer_get_desired_size (writer, &desired, &error))
    {
      if (isinf (desired))
        log_event ("desired %sInfinity", desired < 0 ? "-" : "");
      else
        log_event ("desired %g", desired);
    }
  else if (g_error_matches (error, WSTREAM_ERROR, WSTREAM_ERROR_RELEASED))
    log_event ("desired threw TypeError");
  else
    log_event ("desired null");
}

#define DEFINE_CB(name, type, finish)                                           \
  void                                                                          \
  name (GObject *source, GAsyncResult *result, gpointer user_data)              \
  {                                                                             \
    g_autoptr (GError) error = NULL;                                            \
    gboolean ok = finish (type (source), result, &error);                       \
    g_assert (ok == (error == NULL));                                           \
    log_outcome (user_data, ok, error);                                         \
  }

DEFINE_CB (cb_write, WSTREAM_DEFAULT_WRITER, wstream_default_writer_write_finish)
DEFINE_CB (cb_close, WSTREAM_DEFAULT_WRITER, wstream_default_writer_close_finish)
DEFINE_CB (cb_abort, WSTREAM_DEFAULT_WRITER, wstream_default_writer_abort_finish)
DEFINE_CB (cb_ready, WSTREAM_DEFAULT_WRITER, wstream_default_writer_wait_ready_finish)
DEFINE_CB (cb_closed, WSTREAM_DEFAULT_WRITER, wstream_default_writer_wait_closed_finish)
DEFINE_CB (cb_stream_close, WSTREAM_WRITABLE_STREAM, wstream_writable_stream_close_finish)
DEFINE_CB (cb_stream_abort, WSTREAM_WRITABLE_STREAM, wstream_writable_stream_abort_finish)
DEFINE_CB (cb_promise_wait, WSTREAM_PROMISE, wstream_promise_wait_finish)

void
write_str (WStreamDefaultWriter *writer,
           const char           *s,
           gboolean              with_callback)
{
  GValue value = G_VALUE_INIT;
  g_autofree char *label = g_strdup_printf ("write %s", s);

  value_set_string_chunk (&value, s);
  wstream_default_writer_write_async (writer, &value, NULL,
                                      with_callback ? cb_write : NULL,
                                      with_callback ? (gpointer) g_intern_string (label) : NULL);
  g_value_unset (&value);
}

/* The test sink. */

static void test_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSink, test_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, test_sink_iface_init))

static gboolean
apply_mode (TestSink                  *self,
            SinkMode                   mode,
            const char                *op,
            WStreamDefaultController  *controller,
            GError                   **error)
{
  switch (mode)
    {
    case SINK_OK:
      return TRUE;
    case SINK_FAIL:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed", op);
      return FALSE;
    case SINK_FAIL_NO_ERROR:
      return FALSE;
    case SINK_DEFER:
      g_clear_object (&self->pending);
      self->pending = wstream_default_controller_defer (controller);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
test_sink_start (WStreamSink               *sink,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  TestSink *self = TEST_SINK (sink);

  if (!self->quiet)
    log_event ("sink.start");
  g_set_object (&self->controller, controller);
  if (self->on_start)
    self->on_start (self, NULL, self->hook_data);
  return apply_mode (self, self->start_mode, "start", controller, error);
}

static gboolean
test_sink_write (WStreamSink               *sink,
                 const GValue              *chunk,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  TestSink *self = TEST_SINK (sink);
  char *s = chunk_to_string (chunk);

  if (!self->quiet)
    log_event ("sink.write %s", s);
  g_ptr_array_add (self->written, s);
  if (self->on_write)
    self->on_write (self, chunk, self->hook_data);
  return apply_mode (self, self->write_mode, "write", controller, error);
}

static gboolean
test_sink_close (WStreamSink               *sink,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  TestSink *self = TEST_SINK (sink);

  if (!self->quiet)
    log_event ("sink.close");
  return apply_mode (self, self->close_mode, "close", controller, error);
}

static gboolean
test_sink_abort (WStreamSink               *sink,
                 const GError              *reason,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  TestSink *self = TEST_SINK (sink);

  if (!self->quiet)
    log_event ("sink.abort %s", reason ? reason->message : "(null)");
  return apply_mode (self, self->abort_mode, "abort", controller, error);
}

static void
test_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->start = test_sink_start;
  iface->write = test_sink_write;
  iface->close = test_sink_close;
  iface->abort = test_sink_abort;
}

static void
test_sink_finalize (GObject *object)
{
  TestSink *self = TEST_SINK (object);

  g_clear_object (&self->controller);
  g_clear_object (&self->pending);
  g_ptr_array_unref (self->written);
  G_OBJECT_CLASS (test_sink_parent_class)->finalize (object);
}

static void
test_sink_class_init (TestSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sink_finalize;
}

static void
test_sink_init (TestSink *self)
{
  self->written = g_ptr_array_new_with_free_func (g_free);
}

TestSink *
test_sink_new (void)
{
  return g_object_new (TEST_TYPE_SINK, NULL);
}

void
test_sink_resolve (TestSink *sink)
{
  g_autoptr (WStreamPromise) promise = g_steal_pointer (&sink->pending);

  g_assert_nonnull (promise);
  g_assert_true (wstream_promise_resolve (promise, NULL));
}

void
test_sink_reject (TestSink   *sink,
                  const char *message)
{
  g_autoptr (WStreamPromise) promise = g_steal_pointer (&sink->pending);
  g_autoptr (GError) error = make_error (message);

  g_assert_nonnull (promise);
  g_assert_true (wstream_promise_reject (promise, error));
}
