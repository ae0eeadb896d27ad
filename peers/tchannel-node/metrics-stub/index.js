'use strict';
// tchannel 4.0.1 lists `metrics` as a dependency, but only its benchmarks require it; the peer
// never loads this module. Requiring it says so instead of failing later in a confusing way.
throw new Error('metrics is a stand-in: tchannel 4.0.1 uses it only in its benchmarks');
