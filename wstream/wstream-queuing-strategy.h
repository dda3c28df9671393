/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <glib-object.h>

#include "wstream-version-macros.h"

G_BEGIN_DECLS

/**
 * WStreamStrategyKind:
 * @WSTREAM_STRATEGY_KIND_COUNT: every chunk has size 1, as the Standard's
 *   `CountQueuingStrategy`
 * @WSTREAM_STRATEGY_KIND_BYTE_LENGTH: a chunk's size is its length in bytes,
 *   as the Standard's `ByteLengthQueuingStrategy`; it knows #GBytes,
 *   #GByteArray, #GString and strings
 * @WSTREAM_STRATEGY_KIND_CUSTOM: the size comes from a #WStreamSizeFunc or
 *   from a subclass that overrides the `size` vfunc
 *
 * How a #WStreamQueuingStrategy measures chunks.
 */
typedef enum /*< underscore_name=wstream_strategy_kind >*/ {
  WSTREAM_STRATEGY_KIND_COUNT,
  WSTREAM_STRATEGY_KIND_BYTE_LENGTH,
  WSTREAM_STRATEGY_KIND_CUSTOM,
} WStreamStrategyKind;

/**
 * WStreamSizeFunc:
 * @chunk: the chunk to measure
 * @out_size: (out): return location for the size of @chunk
 * @user_data: the data given with the function
 * @error: return location for an error
 *
 * Measures a chunk for a custom queuing strategy, as the `size` function of
 * a strategy does in the Streams Standard.
 *
 * Returns: %TRUE with @out_size set, or %FALSE with @error set when the
 *   chunk cannot be measured
 */
typedef gboolean (*WStreamSizeFunc) (const GValue  *chunk,
                                     double        *out_size,
                                     gpointer       user_data,
                                     GError       **error);

#define WSTREAM_TYPE_QUEUING_STRATEGY (wstream_queuing_strategy_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WStreamQueuingStrategy, wstream_queuing_strategy,
                          WSTREAM, QUEUING_STRATEGY, GObject)

/**
 * WStreamQueuingStrategyClass:
 * @parent_class: the parent class
 * @size: measures a chunk; subclasses override it for a custom size. It
 *   returns %TRUE with the size in @out_size, or %FALSE with an error.
 *
 * The class of #WStreamQueuingStrategy.
 */
struct _WStreamQueuingStrategyClass
{
  GObjectClass parent_class;

  gboolean (*size) (WStreamQueuingStrategy  *self,
                    const GValue            *chunk,
                    double                  *out_size,
                    GError                 **error);

  /*< private >*/
  gpointer padding[8];
};

WSTREAM_AVAILABLE_IN_ALL
WStreamQueuingStrategy *wstream_queuing_strategy_new_count       (double                   high_water_mark,
                                                                  GError                 **error);
WSTREAM_AVAILABLE_IN_ALL
WStreamQueuingStrategy *wstream_queuing_strategy_new_byte_length (double                   high_water_mark,
                                                                  GError                 **error);
WSTREAM_AVAILABLE_IN_ALL
WStreamQueuingStrategy *wstream_queuing_strategy_new_custom      (double                   high_water_mark,
                                                                  WStreamSizeFunc          size_func,
                                                                  gpointer                 user_data,
                                                                  GDestroyNotify           destroy,
                                                                  GError                 **error);
WSTREAM_AVAILABLE_IN_ALL
double                  wstream_queuing_strategy_get_high_water_mark (WStreamQueuingStrategy *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamStrategyKind     wstream_queuing_strategy_get_kind        (WStreamQueuingStrategy  *self);
WSTREAM_AVAILABLE_IN_ALL
gboolean                wstream_queuing_strategy_validate        (WStreamQueuingStrategy  *self,
                                                                  GError                 **error);
WSTREAM_AVAILABLE_IN_ALL
gboolean                wstream_queuing_strategy_size            (WStreamQueuingStrategy  *self,
                                                                  const GValue            *chunk,
                                                                  double                  *out_size,
                                                                  GError                 **error);

G_END_DECLS
