/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define WSTREAM_INSIDE

#include <gio/gio.h>

#include "wstream-version.h"
#include "wstream-version-macros.h"
#include "wstream-enum-types.h"
#include "wstream-error.h"
#include "wstream-promise.h"
#include "wstream-queuing-strategy.h"
#include "wstream-sink.h"
#include "wstream-writable-stream.h"
#include "wstream-default-writer.h"
#include "wstream-default-controller.h"
#include "wstream-output-stream-sink.h"
#include "wstream-pipe.h"
#include "wstream-output-stream.h"
#include "wstream-language-layer.h"

#undef WSTREAM_INSIDE
