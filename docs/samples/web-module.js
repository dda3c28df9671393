// SPDX-License-Identifier: LGPL-2.1-or-later
// The Standard's WritableStream in GJS, from wstream's web-standard module.
// This sample imports the module from the source tree; an installed copy is
//   import {...} from 'file:///usr/local/share/wstream-1/gjs/wstream-web.js';
// (replace /usr/local with your prefix).
import {WritableStream, CountQueuingStrategy} from '../../wstream/bindings/gjs/wstream-web.js';

function makeStream(name) {
    return new WritableStream({
        start(controller) {
            controller.signal.addEventListener('abort',
                () => print(`${name} sink: signal aborted (${controller.signal.reason})`));
        },
        async write(chunk) {
            print(`${name} sink: write ${JSON.stringify(chunk)}`);
            await new Promise(resolve => setTimeout(resolve, 5));
        },
        close() {
            print(`${name} sink: close`);
        },
        abort(reason) {
            print(`${name} sink: abort (${reason})`);
        },
    }, new CountQueuingStrategy({highWaterMark: 2}));
}

// Close: every chunk is written, then the sink closes.
const a = makeStream('a').getWriter();
print(`a: desired size ${a.desiredSize}`);
a.write({any: 'value'});      // chunks are any JavaScript value
a.write('two');
print(`a: desired size ${a.desiredSize}`);
await a.ready;
await a.close();
print('a: closed');

// Abort: the write in flight finishes, the queued one is rejected with the
// very reason given, then the sink aborts.
const b = makeStream('b').getWriter();
await b.ready;
const first = b.write('first').then(() => print('b: first written'));
const second = b.write('second').catch(e => print(`b: second rejected: ${e}`));
const reason = new Error('user pressed Stop');
await b.abort(reason);
await Promise.all([first, second]);
await b.closed.catch(e => print(`b: closed rejected with the same object: ${e === reason}`));
