// Generated from a command corpus run against redis-server 7.0.15: the expected bytes are Redis's own replies.
import { describe, it } from 'vitest'
import { replay } from './redis-transcript.ts'

describe('pub/sub (transcripts from redis-server 7.0.15)', () => {
  it('RESP2 subscribed mode', async () => {
    await replay([
      [['subscribe', 'a', 'b'], '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n'],
      [['subscribe', 'a'], '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n'],
      [
        ['get', 'x'],
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      ],
      [
        ['config', 'get', 'maxmemory'],
        "-ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      ],
      [['ping'], '*2\r\n$4\r\npong\r\n$0\r\n\r\n'],
      [['ping', 'hi'], '*2\r\n$4\r\npong\r\n$2\r\nhi\r\n'],
      [['ping', 'a', 'b'], "-ERR wrong number of arguments for 'ping' command\r\n"],
      [
        ['psubscribe', 'p*', 'q?'],
        '*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n*3\r\n$10\r\npsubscribe\r\n$2\r\nq?\r\n:4\r\n',
      ],
      [
        ['pubsub', 'numpat'],
        "-ERR Can't execute 'pubsub|numpat': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      ],
      [['unsubscribe', 'x'], '*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:4\r\n'],
      [['unsubscribe'], '*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:3\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:2\r\n'],
      [
        ['get', 'x'],
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      ],
      [
        ['punsubscribe'],
        '*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:1\r\n*3\r\n$12\r\npunsubscribe\r\n$2\r\nq?\r\n:0\r\n',
      ],
      [['punsubscribe'], '*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n'],
      [['unsubscribe'], '*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n'],
      [['get', 'x'], '$-1\r\n'],
      [['quit2'], "-ERR unknown command 'quit2', with args beginning with: \r\n"],
      [['pubsub', 'numsub'], '*0\r\n'],
      [['pubsub', 'numsub', 'a'], '*2\r\n$1\r\na\r\n:0\r\n'],
      [['pubsub', 'channels'], '*0\r\n'],
      [
        ['pubsub', 'channels', 'a', 'b'],
        "-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.\r\n",
      ],
      [['pubsub', 'foo'], "-ERR unknown subcommand 'foo'. Try PUBSUB HELP.\r\n"],
      [['pubsub'], "-ERR wrong number of arguments for 'pubsub' command\r\n"],
      [['pubsub', 'numpat', 'x'], "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n"],
      [
        ['pubsub', 'help'],
        "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANNELS [<pattern>]\r\n+    Return the currently active channels matching a <pattern> (default: '*').\r\n+NUMPAT\r\n+    Return number of subscriptions to patterns.\r\n+NUMSUB [<channel> ...]\r\n+    Return the number of subscribers for the specified channels, excluding\r\n+    pattern subscriptions(default: no channels).\r\n+SHARDCHANNELS [<pattern>]\r\n+    Return the currently active shard level channels matching a <pattern> (default: '*').\r\n+SHARDNUMSUB [<shardchannel> ...]\r\n+    Return the number of subscribers for the specified shard level channel(s)\r\n+HELP\r\n+    Prints this help.\r\n",
      ],
      [['publish', 'nobody', 'hi'], ':0\r\n'],
      [['spublish', 'nobody', 'hi'], ':0\r\n'],
      [['pubsub', 'shardchannels'], '*0\r\n'],
      [['pubsub', 'shardnumsub', 'x'], '*2\r\n$1\r\nx\r\n:0\r\n'],
      [
        ['ssubscribe', 's1', 's2'],
        '*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n*3\r\n$10\r\nssubscribe\r\n$2\r\ns2\r\n:2\r\n',
      ],
      [
        ['get', 'x'],
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      ],
      [['sunsubscribe', 's1'], '*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns1\r\n:1\r\n'],
      [['sunsubscribe'], '*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns2\r\n:0\r\n'],
      [['sunsubscribe'], '*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n'],
      [['subscribe'], "-ERR wrong number of arguments for 'subscribe' command\r\n"],
      [['multi'], '+OK\r\n'],
      [['subscribe', 'm'], '+QUEUED\r\n'],
      [['ping'], '+QUEUED\r\n'],
      [['exec'], '*2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nm\r\n:1\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n'],
      [
        ['get', 'x'],
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      ],
      [['reset'], '+RESET\r\n'],
      [['get', 'x'], '$-1\r\n'],
    ])
  })
  it('RESP3 pushes', async () => {
    await replay([
      [
        ['hello', '3'],
        '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:180\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n',
      ],
      [['subscribe', 'a'], '>3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n'],
      [['get', 'x'], '_\r\n'],
      [['publish', 'a', 'hello'], '>3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n:1\r\n'],
      [['psubscribe', 'a*'], '>3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:2\r\n'],
      [
        ['publish', 'a', 'hello'],
        '>3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n>4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$5\r\nhello\r\n:2\r\n',
      ],
      [['publish', 'ab', 'x'], '>4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$2\r\nab\r\n$1\r\nx\r\n:1\r\n'],
      [['pubsub', 'numsub', 'a', 'ab'], '*4\r\n$1\r\na\r\n:1\r\n$2\r\nab\r\n:0\r\n'],
      [['pubsub', 'numpat'], ':1\r\n'],
      [['pubsub', 'channels'], '*1\r\n$1\r\na\r\n'],
      [['pubsub', 'channels', 'b*'], '*0\r\n'],
      [['ssubscribe', 'sh'], '>3\r\n$10\r\nssubscribe\r\n$2\r\nsh\r\n:1\r\n'],
      [['spublish', 'sh', 'm'], '>3\r\n$8\r\nsmessage\r\n$2\r\nsh\r\n$1\r\nm\r\n:1\r\n'],
      [['pubsub', 'shardchannels'], '*1\r\n$2\r\nsh\r\n'],
      [['pubsub', 'shardnumsub', 'sh', 'x'], '*4\r\n$2\r\nsh\r\n:1\r\n$1\r\nx\r\n:0\r\n'],
      [['ping'], '+PONG\r\n'],
      [['unsubscribe', 'a'], '>3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n'],
      [['punsubscribe', 'a*'], '>3\r\n$12\r\npunsubscribe\r\n$2\r\na*\r\n:0\r\n'],
      [['sunsubscribe', 'sh'], '>3\r\n$12\r\nsunsubscribe\r\n$2\r\nsh\r\n:0\r\n'],
      [['unsubscribe'], '>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n'],
      [
        ['hello', '2'],
        '*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:180\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n',
      ],
    ])
  })
})
