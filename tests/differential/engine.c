/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wstream side of the differential test: runs one sequence (grammar in
 * README.md) with the C API and appends the trace of observable events in
 * the format of driver.mjs (the Node side).  driver.c runs a file of them,
 * tests/fuzz/fuzz-stream.c runs sequences decoded from fuzzer input.
 *
 * Between two steps the thread-default main context runs until it is idle,
 * as the Node driver awaits a macrotask (which drains the microtask queue).
 *
 * After each sequence every reference is dropped; the driver then checks
 * with weak pointers that the stream and the sink were finalized, and counts
 * callbacks that arrived after the end of their sequence.  Both are printed
 * to stderr as "lifetime: ..." and counted (diff_not_finalized).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

typedef struct
{
  char *base;
  char *action;   /* NULL or an op; runs the first time the mode is used */
  gboolean action_done;
} Mode;

typedef struct
{
  GArray *modes[4];   /* start, write, close, abort */
  guint calls[4];
  GArray *sizes;      /* NULL unless custom */
  guint size_calls;

  GString *trace;
  WStreamWritableStream *stream;
  GObject *sink;
  WStreamDefaultController *controller;
  GPtrArray *writers;
  GQueue pending;     /* WStreamPromise *, owned */
  GPtrArray *cancellables;
  guint next_id;
  int depth;
  guint generation;
} Seq;

enum { OP_START, OP_WRITE, OP_CLOSE, OP_ABORT };

static guint current_generation;
static guint late_callbacks;
static guint not_finalized;
/* The sequence the size function reports to; NULL between sequences. */
static Seq *size_seq;

static void run_op (Seq *seq, const char *op, const char *prefix);

/* ---------------------------------------------------------------------- */
/* Normalisation: the trace's vocabulary                                   */
/* ---------------------------------------------------------------------- */

/* A reason as the Node side prints it: the spec's TypeError and RangeError
 * cases are WSTREAM_ERROR codes here, the default abort reason (JS
 * undefined) is WSTREAM_ERROR_ABORTED, a vfunc that fails without an error
 * is WSTREAM_ERROR_FAILED; the reasons the script makes are messages. */
static const char *
norm (const GError *error)
{
  if (error == NULL)
    return "undefined";
  if (error->domain == WSTREAM_ERROR)
    switch ((WStreamError) error->code)
      {
      case WSTREAM_ERROR_LOCKED:
      case WSTREAM_ERROR_RELEASED:
      case WSTREAM_ERROR_CLOSED:
      case WSTREAM_ERROR_ERRORED:
        return "TypeError";
      case WSTREAM_ERROR_INVALID_HIGH_WATER_MARK:
      case WSTREAM_ERROR_INVALID_SIZE:
      case WSTREAM_ERROR_INVALID_CHUNK_TYPE:
        return "RangeError";
      case WSTREAM_ERROR_ABORTED:
        return "undefined";
      case WSTREAM_ERROR_FAILED:
        return "FAILED";
      default:
        return "other:wstream";
      }
  return error->message;
}

/* Formats like JavaScript's Number.prototype.toString for our values. */
static void
append_num (GString *s,
            double   x)
{
  char buf[64];

  if (isnan (x))
    {
      g_string_append (s, "NaN");
      return;
    }
  if (isinf (x))
    {
      g_string_append (s, x > 0 ? "Infinity" : "-Infinity");
      return;
    }
  if (x == 0)
    {
      g_string_append (s, "0");
      return;
    }
  if (x == floor (x) && fabs (x) < 1e21)
    {
      g_string_append_printf (s, "%.0f", x);
      return;
    }
  for (int prec = 1; prec <= 17; prec++)
    {
      g_snprintf (buf, sizeof buf, "%.*g", prec, x);
      if (g_ascii_strtod (buf, NULL) == x)
        break;
    }
  g_string_append (s, buf);
}

static void
emit (Seq        *seq,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
emit (Seq        *seq,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (seq->trace, format, args);
  va_end (args);
  g_string_append_c (seq->trace, '\n');
}

static double
parse_num (const char *s)
{
  if (strcmp (s, "inf") == 0)
    return INFINITY;
  if (strcmp (s, "nan") == 0)
    return NAN;
  if (strcmp (s, "neg") == 0)
    return -1;
  return g_ascii_strtod (s, NULL);
}

static void
chunk_init (GValue     *value,
            const char *s)
{
  switch (s[0])
    {
    case 's':
      g_value_init (value, G_TYPE_STRING);
      g_value_set_string (value, s + 1);
      break;
    case 'i':
      g_value_init (value, G_TYPE_INT);
      g_value_set_int (value, atoi (s + 1));
      break;
    case 'b':
      {
        gsize n = strtoul (s + 1, NULL, 10);
        g_value_init (value, G_TYPE_BYTES);
        g_value_take_boxed (value, g_bytes_new_take (g_malloc0 (n + 1), n));
      }
      break;
    default:
      g_error ("bad chunk %s", s);
    }
}

static char *
chunk_str (const GValue *chunk)
{
  if (G_VALUE_HOLDS_STRING (chunk))
    return g_strdup_printf ("s%s", g_value_get_string (chunk));
  if (G_VALUE_HOLDS_INT (chunk))
    return g_strdup_printf ("i%d", g_value_get_int (chunk));
  if (G_VALUE_HOLDS (chunk, G_TYPE_BYTES))
    return g_strdup_printf ("b%" G_GSIZE_FORMAT,
                            g_bytes_get_size (g_value_get_boxed (chunk)));
  return g_strdup ("?");
}

static GError *
reason_new (const char *s)
{
  if (strcmp (s, "-") == 0)
    return NULL;
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, s);
}

static GArray *
parse_modes (const char *list)
{
  GArray *modes = g_array_new (FALSE, TRUE, sizeof (Mode));
  g_auto (GStrv) parts = g_strsplit (list, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      Mode m = { 0, };
      const char *plus = strchr (parts[i], '+');

      if (plus != NULL)
        {
          m.base = g_strndup (parts[i], plus - parts[i]);
          m.action = g_strdup (plus + 1);
        }
      else
        m.base = g_strdup (parts[i]);
      g_array_append_val (modes, m);
    }
  return modes;
}

static void
free_modes (GArray *modes)
{
  if (modes == NULL)
    return;
  for (guint i = 0; i < modes->len; i++)
    {
      g_free (g_array_index (modes, Mode, i).base);
      g_free (g_array_index (modes, Mode, i).action);
    }
  g_array_unref (modes);
}

/* A sink method's or size function's action runs once, and not inside
 * another action (so that a sink that writes from write() cannot loop). */
static void
run_action (Seq  *seq,
            Mode *m)
{
  if (m->action != NULL && !m->action_done && seq->depth == 0)
    {
      m->action_done = TRUE;
      seq->depth++;
      run_op (seq, m->action, ">> ");
      seq->depth--;
    }
}

/* ---------------------------------------------------------------------- */
/* The scripted sink                                                       */
/* ---------------------------------------------------------------------- */

#define DIFF_TYPE_SINK (diff_sink_get_type ())
G_DECLARE_FINAL_TYPE (DiffSink, diff_sink, DIFF, SINK, GObject)

struct _DiffSink
{
  GObject parent_instance;
  Seq *seq;   /* NULL once the sequence ended */
};

static void diff_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DiffSink, diff_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, diff_sink_iface_init))

static gboolean
sink_method (DiffSink                  *self,
             int                        op,
             WStreamDefaultController  *controller,
             GError                   **error)
{
  Seq *seq = self->seq;
  Mode *m;

  if (seq == NULL)
    return TRUE;
  m = &g_array_index (seq->modes[op], Mode, seq->calls[op]++ % seq->modes[op]->len);
  run_action (seq, m);
  if (strcmp (m->base, "ok") == 0)
    return TRUE;
  if (strcmp (m->base, "nerr") == 0)
    return FALSE;
  if (strcmp (m->base, "later") == 0)
    {
      g_queue_push_tail (&seq->pending, wstream_default_controller_defer (controller));
      return TRUE;
    }
  if (g_str_has_prefix (m->base, "f:"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, m->base + 2);
      return FALSE;
    }
  g_error ("bad mode %s", m->base);
}

static void
signal_cb (GCancellable *cancellable,
           gpointer      data)
{
  DiffSink *self = data;

  if (self->seq != NULL && self->seq->controller != NULL)
    emit (self->seq, "signal abort %s",
          norm (wstream_default_controller_get_abort_reason (self->seq->controller)));
}

static gboolean
diff_sink_start (WStreamSink               *sink,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  DiffSink *self = DIFF_SINK (sink);

  if (self->seq == NULL)
    return TRUE;
  emit (self->seq, "sink.start");
  g_set_object (&self->seq->controller, controller);
  g_signal_connect_object (wstream_default_controller_get_cancellable (controller),
                           "cancelled", G_CALLBACK (signal_cb), self, 0);
  return sink_method (self, OP_START, controller, error);
}

static gboolean
diff_sink_write (WStreamSink               *sink,
                 const GValue              *chunk,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  DiffSink *self = DIFF_SINK (sink);
  g_autofree char *s = chunk_str (chunk);

  if (self->seq != NULL)
    emit (self->seq, "sink.write %s", s);
  return sink_method (self, OP_WRITE, controller, error);
}

static gboolean
diff_sink_close (WStreamSink               *sink,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  DiffSink *self = DIFF_SINK (sink);

  if (self->seq != NULL)
    emit (self->seq, "sink.close");
  return sink_method (self, OP_CLOSE, controller, error);
}

static gboolean
diff_sink_abort (WStreamSink               *sink,
                 const GError              *reason,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  DiffSink *self = DIFF_SINK (sink);

  if (self->seq != NULL)
    emit (self->seq, "sink.abort %s", norm (reason));
  return sink_method (self, OP_ABORT, controller, error);
}

static void
diff_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->start = diff_sink_start;
  iface->write = diff_sink_write;
  iface->close = diff_sink_close;
  iface->abort = diff_sink_abort;
}

static void
diff_sink_class_init (DiffSinkClass *klass)
{
}

static void
diff_sink_init (DiffSink *self)
{
}

/* ---------------------------------------------------------------------- */
/* The size function                                                       */
/* ---------------------------------------------------------------------- */

static gboolean
size_func (const GValue  *chunk,
           double        *out_size,
           gpointer       user_data,
           GError       **error)
{
  Seq *seq = size_seq;
  g_autofree char *s = chunk_str (chunk);
  Mode *m;

  if (seq == NULL)
    {
      *out_size = 1;
      return TRUE;
    }
  m = &g_array_index (seq->sizes, Mode, seq->size_calls++ % seq->sizes->len);
  emit (seq, "size %s", s);
  run_action (seq, m);
  if (strcmp (m->base, "nerr") == 0)
    return FALSE;
  if (g_str_has_prefix (m->base, "t:"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, m->base + 2);
      return FALSE;
    }
  *out_size = parse_num (m->base);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Promise callbacks                                                       */
/* ---------------------------------------------------------------------- */

typedef struct
{
  Seq *seq;
  guint generation;
  guint id;
  const char *kind;
  GCancellable *cancellable;
} Call;

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok;
  const char *kind = call->kind;

  if (strcmp (kind, "write") == 0)
    ok = wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, &error);
  else if (strcmp (kind, "close") == 0)
    ok = wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, &error);
  else if (strcmp (kind, "abort") == 0)
    ok = wstream_default_writer_abort_finish (WSTREAM_DEFAULT_WRITER (source), result, &error);
  else if (strcmp (kind, "ready") == 0)
    ok = wstream_default_writer_wait_ready_finish (WSTREAM_DEFAULT_WRITER (source), result, &error);
  else if (strcmp (kind, "closed") == 0)
    ok = wstream_default_writer_wait_closed_finish (WSTREAM_DEFAULT_WRITER (source), result, &error);
  else if (strcmp (kind, "sclose") == 0)
    ok = wstream_writable_stream_close_finish (WSTREAM_WRITABLE_STREAM (source), result, &error);
  else if (strcmp (kind, "sabort") == 0)
    ok = wstream_writable_stream_abort_finish (WSTREAM_WRITABLE_STREAM (source), result, &error);
  else
    g_assert_not_reached ();

  if (ok != (error == NULL))
    g_error ("p%u %s: finish returned %d with error %p", call->id, kind, ok, error);

  if (call->generation != current_generation)
    late_callbacks++;
  else if (ok)
    emit (call->seq, "p%u %s ok", call->id, kind);
  else
    emit (call->seq, "p%u %s rej %s", call->id, kind, norm (error));
  g_object_unref (call->cancellable);
  g_free (call);
}

static Call *
call_new (Seq        *seq,
          const char *kind)
{
  Call *call = g_new0 (Call, 1);

  call->seq = seq;
  call->generation = seq->generation;
  call->id = seq->next_id++;
  call->kind = kind;
  /* Cancelled when the sequence ends: JavaScript forgets a promise nobody
   * holds; a C caller abandons a wait with its cancellable. */
  call->cancellable = g_cancellable_new ();
  g_ptr_array_add (seq->cancellables, g_object_ref (call->cancellable));
  return call;
}

/* ---------------------------------------------------------------------- */
/* Steps                                                                   */
/* ---------------------------------------------------------------------- */

static void
run_op (Seq        *seq,
        const char *op,
        const char *prefix)
{
  g_auto (GStrv) f = g_strsplit (op, "/", -1);
  const char *name = f[0];
  gboolean needs_writer = FALSE;
  WStreamDefaultWriter *w = NULL;
  static const char *writer_ops[] = { "w", "c", "a", "r", "rd", "cl", "ds", NULL };
  static const char *stream_ops[] = { "g", "sc", "sa", "lk", NULL };

  emit (seq, "%s%s", prefix, op);
  needs_writer = g_strv_contains (writer_ops, name);
  if (needs_writer)
    {
      if (seq->writers->len == 0)
        {
          emit (seq, "nowriter");
          return;
        }
      w = g_ptr_array_index (seq->writers, atoi (f[1]) % seq->writers->len);
    }
  if (g_strv_contains (stream_ops, name) && seq->stream == NULL)
    {
      emit (seq, "nostream");
      return;
    }

  if (strcmp (name, "g") == 0)
    {
      g_autoptr (GError) error = NULL;
      WStreamDefaultWriter *writer = wstream_writable_stream_get_writer (seq->stream, &error);

      if (writer != NULL)
        {
          g_ptr_array_add (seq->writers, writer);
          emit (seq, "writer w%u", seq->writers->len - 1);
        }
      else
        emit (seq, "getWriter threw %s", norm (error));
    }
  else if (strcmp (name, "w") == 0)
    {
      GValue chunk = G_VALUE_INIT;
      Call *call = call_new (seq, "write");

      chunk_init (&chunk, f[2]);
      wstream_default_writer_write_async (w, &chunk, call->cancellable, call_done, call);
      g_value_unset (&chunk);
    }
  else if (strcmp (name, "c") == 0)
    {
      Call *call = call_new (seq, "close");

      wstream_default_writer_close_async (w, call->cancellable, call_done, call);
    }
  else if (strcmp (name, "a") == 0)
    {
      g_autoptr (GError) reason = reason_new (f[2]);
      Call *call = call_new (seq, "abort");

      wstream_default_writer_abort_async (w, reason, call->cancellable, call_done, call);
    }
  else if (strcmp (name, "sc") == 0)
    {
      Call *call = call_new (seq, "sclose");

      wstream_writable_stream_close_async (seq->stream, call->cancellable, call_done, call);
    }
  else if (strcmp (name, "sa") == 0)
    {
      g_autoptr (GError) reason = reason_new (f[1]);
      Call *call = call_new (seq, "sabort");

      wstream_writable_stream_abort_async (seq->stream, reason, call->cancellable, call_done, call);
    }
  else if (strcmp (name, "r") == 0)
    wstream_default_writer_release_lock (w);
  else if (strcmp (name, "rd") == 0)
    {
      Call *call = call_new (seq, "ready");

      wstream_default_writer_wait_ready_async (w, call->cancellable, call_done, call);
    }
  else if (strcmp (name, "cl") == 0)
    {
      Call *call = call_new (seq, "closed");

      wstream_default_writer_wait_closed_async (w, call->cancellable, call_done, call);
    }
  else if (strcmp (name, "ds") == 0)
    {
      g_autoptr (GError) error = NULL;
      double size = 0;

      if (wstream_default_writer_get_desired_size (w, &size, &error))
        {
          g_string_append (seq->trace, "desired ");
          append_num (seq->trace, size);
          g_string_append_c (seq->trace, '\n');
        }
      else if (g_error_matches (error, WSTREAM_ERROR, WSTREAM_ERROR_RELEASED))
        emit (seq, "desired threw TypeError");
      else
        emit (seq, "desired null");
    }
  else if (strcmp (name, "lk") == 0)
    emit (seq, "locked %s", wstream_writable_stream_is_locked (seq->stream) ? "true" : "false");
  else if (strcmp (name, "ce") == 0)
    {
      if (seq->controller == NULL)
        emit (seq, "nocontroller");
      else
        {
          g_autoptr (GError) reason = reason_new (f[1]);
          wstream_default_controller_error (seq->controller, reason);
        }
    }
  else if (strcmp (name, "st") == 0)
    {
      g_autoptr (WStreamPromise) p = g_queue_pop_head (&seq->pending);

      if (p == NULL)
        emit (seq, "nopending");
      else if (strcmp (f[1], "-") == 0)
        wstream_promise_resolve (p, NULL);
      else
        {
          g_autoptr (GError) reason = reason_new (f[1]);
          wstream_promise_reject (p, reason);
        }
    }
  else
    g_error ("bad op %s", op);
}

static void
run_until_idle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
diff_run_sequence (const char *line,
              GString    *out)
{
  Seq seq_storage = { 0, };
  Seq *seq = &seq_storage;
  g_auto (GStrv) tokens = g_strsplit_set (line, " \t", -1);
  g_autoptr (GHashTable) cfg = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (WStreamQueuingStrategy) strategy = NULL;
  g_autoptr (GError) error = NULL;
  const char *opnames[] = { "start", "write", "close", "abort" };
  double hwm;
  const char *size;
  guint i;
  gpointer weak_stream = NULL, weak_sink = NULL;

  seq->trace = out;
  seq->writers = g_ptr_array_new_with_free_func (g_object_unref);
  seq->cancellables = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&seq->pending);
  seq->generation = ++current_generation;
  size_seq = seq;

  for (i = 0; tokens[i] != NULL && strchr (tokens[i], '=') != NULL; i++)
    {
      char *eq = strchr (tokens[i], '=');
      *eq = '\0';
      g_hash_table_insert (cfg, tokens[i], eq + 1);
    }
  for (int k = 0; k < 4; k++)
    seq->modes[k] = parse_modes (g_hash_table_lookup (cfg, opnames[k]));
  hwm = parse_num (g_hash_table_lookup (cfg, "hwm"));
  size = g_hash_table_lookup (cfg, "size");

  if (strcmp (size, "count") == 0)
    strategy = wstream_queuing_strategy_new_count (hwm, &error);
  else if (strcmp (size, "bytes") == 0)
    strategy = wstream_queuing_strategy_new_byte_length (hwm, &error);
  else
    {
      seq->sizes = parse_modes (size + strlen ("custom:"));
      strategy = wstream_queuing_strategy_new_custom (hwm, size_func, NULL, NULL, &error);
    }

  seq->sink = g_object_new (DIFF_TYPE_SINK, NULL);
  DIFF_SINK (seq->sink)->seq = seq;
  g_object_add_weak_pointer (seq->sink, &weak_sink);
  weak_sink = seq->sink;

  if (strategy != NULL)
    seq->stream = wstream_writable_stream_new (WSTREAM_SINK (seq->sink), strategy, &error);
  if (seq->stream == NULL)
    emit (seq, "new threw %s", norm (error));
  else
    {
      g_object_add_weak_pointer (G_OBJECT (seq->stream), &weak_stream);
      weak_stream = seq->stream;
      run_until_idle ();
      for (; tokens[i] != NULL; i++)
        {
          if (tokens[i][0] == '\0')
            continue;
          run_op (seq, tokens[i], "> ");
          run_until_idle ();
        }
      emit (seq, "end");
    }

  /* Drop everything; late callbacks are counted, not traced. */
  current_generation++;
  DIFF_SINK (seq->sink)->seq = NULL;
  size_seq = NULL;
  for (guint k = 0; k < seq->cancellables->len; k++)
    g_cancellable_cancel (seq->cancellables->pdata[k]);
  g_ptr_array_unref (seq->cancellables);
  g_clear_object (&seq->controller);
  g_ptr_array_unref (seq->writers);
  g_clear_object (&seq->stream);
  g_clear_object (&seq->sink);
  g_queue_clear_full (&seq->pending, g_object_unref);
  g_clear_object (&strategy);
  run_until_idle ();
  if (weak_stream != NULL || weak_sink != NULL)
    {
      not_finalized++;
      g_printerr ("lifetime: not finalized (%s%s) after: %s\n",
                  weak_stream ? "stream " : "", weak_sink ? "sink" : "", line);
      if (weak_stream)
        g_object_remove_weak_pointer (weak_stream, &weak_stream);
      if (weak_sink)
        g_object_remove_weak_pointer (weak_sink, &weak_sink);
    }

  for (int k = 0; k < 4; k++)
    free_modes (seq->modes[k]);
  free_modes (seq->sizes);
}

guint
diff_late_callbacks (void)
{
  return late_callbacks;
}

guint
diff_not_finalized (void)
{
  return not_finalized;
}
