/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The promise model: settle-once promises delivered through one job queue
 * per GMainContext, in settlement order, never synchronously. */
#include "test-util.h"

static WStreamPromise *
waited_promise (const char *label)
{
  WStreamPromise *promise = wstream_promise_new ();

  wstream_promise_wait_async (promise, NULL, cb_promise_wait, (gpointer) label);
  return promise;
}

static void
test_order_settle (void)
{
  g_autoptr (WStreamPromise) a = waited_promise ("A");
  g_autoptr (WStreamPromise) b = waited_promise ("B");
  g_autoptr (WStreamPromise) c = waited_promise ("C");
  g_autoptr (GError) error = make_error ("E");

  log_reset ();
  wstream_promise_resolve (a, NULL);
  wstream_promise_reject (b, error);
  wstream_promise_resolve (c, NULL);
  assert_log (NULL);   /* nothing inside the settling calls */
  run_until_idle ();
  assert_log ("A ok", "B rejected E", "C ok");

  /* The order is the settlement order, not the order of the waits. */
  {
    g_autoptr (WStreamPromise) x = waited_promise ("X");
    g_autoptr (WStreamPromise) y = waited_promise ("Y");
    g_autoptr (WStreamPromise) z = waited_promise ("Z");

    wstream_promise_resolve (z, NULL);
    wstream_promise_resolve (x, NULL);
    wstream_promise_resolve (y, NULL);
    run_until_idle ();
    assert_log ("Z ok", "X ok", "Y ok");
  }
}

static void
test_never_synchronous (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();

  log_reset ();
  wstream_promise_resolve (promise, NULL);
  /* Waiting on a settled promise still calls back from the job queue. */
  wstream_promise_wait_async (promise, NULL, cb_promise_wait, "late");
  assert_log (NULL);
  run_until_idle ();
  assert_log ("late ok");
}

static WStreamPromise *chained_b;

static void
settle_b_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  cb_promise_wait (source, result, user_data);
  wstream_promise_resolve (chained_b, NULL);
  log_event ("after settling B");
}

static void
test_settle_inside_callback (void)
{
  g_autoptr (WStreamPromise) a = wstream_promise_new ();
  g_autoptr (WStreamPromise) c = waited_promise ("C");

  chained_b = waited_promise ("B");
  wstream_promise_wait_async (a, NULL, settle_b_cb, "A");
  log_reset ();

  wstream_promise_resolve (a, NULL);
  wstream_promise_resolve (c, NULL);
  /* One main-loop iteration drains the queue, jobs added while draining
   * included (a microtask checkpoint): B's callback runs after C's, which
   * was queued before B settled. */
  g_assert_true (g_main_context_iteration (NULL, FALSE));
  assert_log ("A ok", "after settling B", "C ok", "B ok");
  g_clear_object (&chained_b);
}

static void
test_settle_once (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();
  g_autoptr (GError) error = make_error ("E");
  GValue value = G_VALUE_INIT;
  GValue other = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 42);
  g_value_init (&other, G_TYPE_INT);
  g_value_set_int (&other, 7);

  g_assert_cmpint (wstream_promise_get_state (promise), ==, WSTREAM_PROMISE_PENDING);
  g_assert_null (wstream_promise_get_value (promise));
  g_assert_true (wstream_promise_resolve (promise, &value));
  g_assert_false (wstream_promise_resolve (promise, &other));
  g_assert_false (wstream_promise_reject (promise, error));
  g_assert_cmpint (wstream_promise_get_state (promise), ==, WSTREAM_PROMISE_FULFILLED);
  g_assert_cmpint (g_value_get_int (wstream_promise_get_value (promise)), ==, 42);
  g_assert_null (wstream_promise_get_error (promise));

  {
    g_autoptr (WStreamPromise) rejected = wstream_promise_new ();

    g_assert_true (wstream_promise_reject (rejected, error));
    g_assert_false (wstream_promise_resolve (rejected, NULL));
    g_assert_cmpint (wstream_promise_get_state (rejected), ==, WSTREAM_PROMISE_REJECTED);
    g_assert_error (wstream_promise_get_error (rejected), G_IO_ERROR, G_IO_ERROR_FAILED);
  }

  g_value_unset (&value);
  g_value_unset (&other);
}

static void
value_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  WStreamPromise *promise = WSTREAM_PROMISE (source);
  g_autoptr (GError) error = NULL;

  g_assert_true (wstream_promise_wait_finish (promise, result, &error));
  g_assert_no_error (error);
  log_event ("value %d", g_value_get_int (wstream_promise_get_value (promise)));
}

static void
test_resolve_with_value (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();
  GValue value = G_VALUE_INIT;

  log_reset ();
  wstream_promise_wait_async (promise, NULL, value_cb, NULL);
  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 5);
  wstream_promise_resolve (promise, &value);
  g_value_unset (&value);
  run_until_idle ();
  assert_log ("value 5");
}

/* Two contexts on two threads each keep their own queue and order. */
typedef struct {
  int       id;
  GString  *order;
} ThreadData;

static void
thread_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GString *order = user_data;
  WStreamPromise *promise = WSTREAM_PROMISE (source);

  g_assert_true (wstream_promise_wait_finish (promise, result, NULL));
  g_string_append_printf (order, "%d,", g_value_get_int (wstream_promise_get_value (promise)));
}

static gpointer
thread_func (gpointer data)
{
  ThreadData *td = data;
  g_autoptr (GMainContext) context = g_main_context_new ();
  GPtrArray *promises = g_ptr_array_new_with_free_func (g_object_unref);

  g_main_context_push_thread_default (context);

  for (int round = 0; round < 200; round++)
    {
      for (int i = 0; i < 10; i++)
        {
          WStreamPromise *p = wstream_promise_new ();

          wstream_promise_wait_async (p, NULL, thread_cb, td->order);
          g_ptr_array_add (promises, p);
        }
      /* Settle in reverse order: callbacks follow. */
      for (int i = 9; i >= 0; i--)
        {
          GValue v = G_VALUE_INIT;

          g_value_init (&v, G_TYPE_INT);
          g_value_set_int (&v, td->id * 100 + i);
          wstream_promise_resolve (promises->pdata[promises->len - 10 + i], &v);
        }
      while (g_main_context_iteration (context, FALSE))
        ;
    }

  g_main_context_pop_thread_default (context);
  g_ptr_array_unref (promises);
  return NULL;
}

static void
test_two_contexts (void)
{
  ThreadData a = { 1, g_string_new (NULL) };
  ThreadData b = { 2, g_string_new (NULL) };
  GThread *ta = g_thread_new ("a", thread_func, &a);
  GThread *tb = g_thread_new ("b", thread_func, &b);
  g_autoptr (GString) expected_a = g_string_new (NULL);
  g_autoptr (GString) expected_b = g_string_new (NULL);

  g_thread_join (ta);
  g_thread_join (tb);

  for (int round = 0; round < 200; round++)
    for (int i = 9; i >= 0; i--)
      {
        g_string_append_printf (expected_a, "%d,", 100 + i);
        g_string_append_printf (expected_b, "%d,", 200 + i);
      }
  g_assert_cmpstr (a.order->str, ==, expected_a->str);
  g_assert_cmpstr (b.order->str, ==, expected_b->str);
  g_string_free (a.order, TRUE);
  g_string_free (b.order, TRUE);
}

static void
test_cancel_wait (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  log_reset ();
  wstream_promise_wait_async (promise, cancellable, cb_promise_wait, "cancelled wait");
  wstream_promise_wait_async (promise, NULL, cb_promise_wait, "plain wait");
  g_cancellable_cancel (cancellable);
  assert_log (NULL);
  run_until_idle ();
  assert_log ("cancelled wait rejected The operation was cancelled; the stream is unchanged");
  /* The promise itself is unchanged; the other waiter still waits. */
  g_assert_cmpint (wstream_promise_get_state (promise), ==, WSTREAM_PROMISE_PENDING);
  wstream_promise_resolve (promise, NULL);
  run_until_idle ();
  assert_log ("plain wait ok");
}

static void
cancel_code_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (wstream_promise_wait_finish (WSTREAM_PROMISE (source), result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *(gboolean *) user_data = TRUE;
}

static gpointer
cancel_thread (gpointer data)
{
  g_usleep (1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_from_other_thread (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE;
  GThread *thread;

  wstream_promise_wait_async (promise, cancellable, cancel_code_cb, &done);
  thread = g_thread_new ("cancel", cancel_thread, cancellable);
  /* The main context wakes up for the cancellation: nothing else is ready. */
  run_until_true (&done);
  g_thread_join (thread);
  g_assert_cmpint (wstream_promise_get_state (promise), ==, WSTREAM_PROMISE_PENDING);
}

static void
test_cancel_already_cancelled (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE;

  g_cancellable_cancel (cancellable);
  wstream_promise_wait_async (promise, cancellable, cancel_code_cb, &done);
  g_assert_false (done);
  run_until_idle ();
  g_assert_true (done);
}

/* A producer that settles promises in a loop from their own callbacks,
 * forever, must not starve an idle source. */
static gboolean producer_stop;
static guint produced;

static void
producer_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  WStreamPromise *next;

  produced++;
  if (producer_stop)
    return;
  next = wstream_promise_new ();
  wstream_promise_wait_async (next, NULL, producer_cb, NULL);
  wstream_promise_resolve (next, NULL);
  g_object_unref (next);
}

static gboolean
idle_cb (gpointer data)
{
  producer_stop = TRUE;
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_bounded_drain_yields (void)
{
  g_autoptr (WStreamPromise) first = wstream_promise_new ();
  gboolean idle_ran = FALSE;

  producer_stop = FALSE;
  produced = 0;
  wstream_promise_wait_async (first, NULL, producer_cb, NULL);
  wstream_promise_resolve (first, NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, idle_cb, &idle_ran, NULL);

  run_until_true (&idle_ran);
  run_until_idle ();
  g_assert_true (producer_stop);
  /* The producer did run a good while before the idle got its turn. */
  g_assert_cmpuint (produced, >=, 100);
}

static void
test_finalized_after_callbacks (void)
{
  WStreamPromise *promise = wstream_promise_new ();
  WStreamPromise *weak = promise;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  g_object_add_weak_pointer (G_OBJECT (promise), (gpointer *) &weak);
  log_reset ();
  wstream_promise_wait_async (promise, cancellable, cb_promise_wait, "w1");
  wstream_promise_wait_async (promise, NULL, cb_promise_wait, "w2");
  g_object_unref (promise);
  g_assert_nonnull (weak);   /* a wait keeps its promise alive */
  wstream_promise_resolve (weak, NULL);
  g_assert_nonnull (weak);   /* queued jobs hold it */
  run_until_idle ();
  assert_log ("w1 ok", "w2 ok");
  g_assert_null (weak);
}

static gpointer
settle_from_thread (gpointer data)
{
  wstream_promise_resolve (data, NULL);
  return NULL;
}

static void
test_wrong_thread (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (WStreamPromise) promise = wstream_promise_new ();
      GThread *thread = g_thread_new ("wrong", settle_from_thread, promise);

      g_thread_join (thread);
      /* Not settled: the call was refused. */
      g_assert_cmpint (wstream_promise_get_state (promise), ==, WSTREAM_PROMISE_PENDING);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*wstream_promise_resolve*wstream_job_queue_is_current*");
}

/* A non-default context made in one thread and handed to another: the
 * thread that runs it (its thread-default context) may use its promises. */
typedef struct {
  GMainContext   *context;
  WStreamPromise *promise;
  gboolean        called;
} Handover;

static void
handover_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Handover *h = user_data;

  g_assert_true (wstream_promise_wait_finish (WSTREAM_PROMISE (source), result, NULL));
  g_assert_true (g_main_context_is_owner (h->context));
  h->called = TRUE;
}

static gpointer
run_handed_over_context (gpointer data)
{
  Handover *h = data;

  g_main_context_push_thread_default (h->context);
  g_assert_true (wstream_promise_resolve (h->promise, NULL));
  while (!h->called)
    g_main_context_iteration (h->context, TRUE);
  g_main_context_pop_thread_default (h->context);
  return NULL;
}

static void
test_context_handed_to_another_thread (void)
{
  Handover h = { g_main_context_new (), NULL, FALSE };
  GThread *thread;

  g_main_context_push_thread_default (h.context);
  h.promise = wstream_promise_new ();
  wstream_promise_wait_async (h.promise, NULL, handover_cb, &h);
  g_main_context_pop_thread_default (h.context);

  thread = g_thread_new ("runner", run_handed_over_context, &h);
  g_thread_join (thread);
  g_assert_true (h.called);
  g_object_unref (h.promise);
  g_main_context_unref (h.context);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/promise/order/settlement-order", test_order_settle);
  g_test_add_func ("/promise/order/never-synchronous", test_never_synchronous);
  g_test_add_func ("/promise/order/settle-inside-callback", test_settle_inside_callback);
  g_test_add_func ("/promise/settle-once", test_settle_once);
  g_test_add_func ("/promise/resolve-with-value", test_resolve_with_value);
  g_test_add_func ("/promise/threads/two-contexts-keep-their-order", test_two_contexts);
  g_test_add_func ("/promise/threads/settle-from-wrong-thread-is-critical", test_wrong_thread);
  g_test_add_func ("/promise/threads/context-handed-to-another-thread", test_context_handed_to_another_thread);
  g_test_add_func ("/promise/cancel/stops-only-that-wait", test_cancel_wait);
  g_test_add_func ("/promise/cancel/from-another-thread", test_cancel_from_other_thread);
  g_test_add_func ("/promise/cancel/already-cancelled-is-not-synchronous", test_cancel_already_cancelled);
  g_test_add_func ("/promise/queue/bounded-drain-yields-to-idle", test_bounded_drain_yields);
  g_test_add_func ("/promise/lifetime/finalized-after-callbacks", test_finalized_after_callbacks);

  return g_test_run ();
}
