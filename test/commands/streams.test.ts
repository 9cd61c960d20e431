/**
 * Stream commands: replies recorded from redis-server 7.0.15 (see redis-cases.ts), the stream value's own
 * structure, and blocking reads on the engine clock.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_STREAM_ID, RedisStream, streamId, ZERO_ID } from '../../src/keyspace/types/stream.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import type { LocalConnection } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'
import { expectReplies } from './redis-cases.ts'

describe('stream commands (recorded from redis-server 7.0.15)', () => {
  it('XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XINFO STREAM', async () => {
    await expectReplies([
      [['XADD', 's', '1-1', 'a', '1'], '$3\r\n1-1\r\n'],
      [['XADD', 's', '1-*', 'b', '2'], '$3\r\n1-2\r\n'],
      [
        ['XADD', 's', '1', 'c', '3'],
        '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n',
      ],
      [['XADD', 's', '2-5', 'd', '4', 'e', '5'], '$3\r\n2-5\r\n'],
      [['XADD', 's', '0-0', 'x', 'y'], '-ERR The ID specified in XADD must be greater than 0-0\r\n'],
      [
        ['XADD', 's', '0-*', 'x', 'y'],
        '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n',
      ],
      [['XADD', 's', '3', 'x'], "-ERR wrong number of arguments for 'xadd' command\r\n"],
      [['XADD', 's', 'MAXLEN', 'x', '5-0', 'a', 'b'], '-ERR value is not an integer or out of range\r\n'],
      [['XADD', 's', 'MAXLEN', '-1', '5-0', 'a', 'b'], '-ERR The MAXLEN argument must be >= 0.\r\n'],
      [
        ['XADD', 's', 'MAXLEN', '2', 'MINID', '1', '5-0', 'a', 'b'],
        '-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n',
      ],
      [
        ['XADD', 's', 'LIMIT', '5', '5-0', 'a', 'b'],
        '-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n',
      ],
      [
        ['XADD', 's', 'MAXLEN', '10', 'LIMIT', '5', '5-0', 'a', 'b'],
        '-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n',
      ],
      [['XADD', 's', 'NOMKSTREAM', '5-0', 'a', 'b'], '$3\r\n5-0\r\n'],
      [['XADD', 'nokey', 'NOMKSTREAM', '5-0', 'a', 'b'], '$-1\r\n'],
      [['EXISTS', 'nokey'], ':0\r\n'],
      [
        ['XADD', 's', '18446744073709551615-18446744073709551615', 'a', 'b'],
        '$41\r\n18446744073709551615-18446744073709551615\r\n',
      ],
      [
        ['XADD', 's', '*', 'a', 'b'],
        '-ERR The stream has exhausted the last possible ID, unable to add more items\r\n',
      ],
      [
        ['XADD', 's', '18446744073709551615-*', 'a', 'b'],
        '-ERR The stream has exhausted the last possible ID, unable to add more items\r\n',
      ],
      [
        ['XADD', 's2', '18446744073709551615-18446744073709551614', 'a', 'b'],
        '$41\r\n18446744073709551615-18446744073709551614\r\n',
      ],
      [['XADD', 's2', '18446744073709551615-*', 'a', 'b'], '$41\r\n18446744073709551615-18446744073709551615\r\n'],
      [
        ['XADD', 's2', '18446744073709551615-*', 'a', 'b'],
        '-ERR The stream has exhausted the last possible ID, unable to add more items\r\n',
      ],
      [['XADD', 's3', 'abc', 'a', 'b'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XADD', 's3', '-1', 'a', 'b'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XADD', 's3', '1-x', 'a', 'b'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XADD', 's3', '+', 'a', 'b'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XADD', 's3', '-', 'a', 'b'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XADD', 's3', '"', '5"', 'a', 'b'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [
        ['XRANGE', 's', '-', '+'],
        '*5\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n',
      ],
      [
        ['XRANGE', 's', '-', '+', 'COUNT', '2'],
        '*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n',
      ],
      [['XRANGE', 's', '-', '+', 'COUNT', '0'], '*-1\r\n'],
      [['XRANGE', 's', '-', '+', 'COUNT', '-1'], '*-1\r\n'],
      [
        ['XRANGE', 's', '(1-1', '+'],
        '*4\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n',
      ],
      [
        ['XRANGE', 's', '1', '1'],
        '*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n',
      ],
      [
        ['XRANGE', 's', '(1', '2'],
        '*3\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n',
      ],
      [
        ['XRANGE', 's', '-', '(2-5'],
        '*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n',
      ],
      [['XRANGE', 's', '-', '(0-0'], '-ERR invalid end ID for the interval\r\n'],
      [
        ['XRANGE', 's', '(18446744073709551615-18446744073709551615', '+'],
        '-ERR invalid start ID for the interval\r\n',
      ],
      [['XRANGE', 's', '+', '-'], '*0\r\n'],
      [['XRANGE', 's', '-', '+', 'COUNT'], '-ERR syntax error\r\n'],
      [['XRANGE', 's', '-', '+', 'FOO', '1'], '-ERR syntax error\r\n'],
      [['XRANGE', 's', 'x', '+'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [
        ['XREVRANGE', 's', '+', '-'],
        '*5\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n',
      ],
      [
        ['XREVRANGE', 's', '+', '-', 'COUNT', '1'],
        '*1\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n',
      ],
      [
        ['XREVRANGE', 's', '(2-5', '-'],
        '*2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n',
      ],
      [['XRANGE', 'nokey', '-', '+'], '*0\r\n'],
      [['XLEN', 's'], ':5\r\n'],
      [['XLEN', 'nokey'], ':0\r\n'],
      [['XDEL', 's', '1-1', '1-2', '9-9'], ':2\r\n'],
      [['XDEL', 's', 'x'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XDEL', 'nokey', 'x'], ':0\r\n'],
      [['XLEN', 's'], ':3\r\n'],
      [
        ['XRANGE', 's', '-', '+'],
        '*3\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n',
      ],
      [['TYPE', 's'], '+stream\r\n'],
      [['OBJECT', 'ENCODING', 's'], '$6\r\nstream\r\n'],
      [['SET', 'str', 'x'], '+OK\r\n'],
      [['XADD', 'str', '1', 'a', 'b'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['XRANGE', 'str', '-', '+'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['XLEN', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['XTRIM', 's', 'MAXLEN', '1'], ':2\r\n'],
      [
        ['XRANGE', 's', '-', '+'],
        '*1\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n',
      ],
      [['XTRIM', 's'], "-ERR wrong number of arguments for 'xtrim' command\r\n"],
      [['XTRIM', 's', 'MAXLEN', '~', '0'], ':1\r\n'],
      [['XTRIM', 's', 'MINID', '5'], ':0\r\n'],
      [
        ['XTRIM', 's', 'LIMIT', '10', 'MAXLEN', '1'],
        '-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n',
      ],
      [
        ['XTRIM', 's', 'MAXLEN', '1', 'LIMIT', '10'],
        '-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n',
      ],
      [['XTRIM', 's', 'MAXLEN', '~', '1', 'LIMIT', '10'], ':0\r\n'],
      [['XTRIM', 'nokey', 'MAXLEN', '1'], ':0\r\n'],
      [['XTRIM', 's', 'FOO', '1'], '-ERR syntax error\r\n'],
      [['XLEN', 's'], ':0\r\n'],
      [['XSETID', 's', '1-1'], '+OK\r\n'],
      [['XSETID', 's', '99-0'], '+OK\r\n'],
      [
        ['XADD', 's', '50', 'a', 'b'],
        '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n',
      ],
      [['XSETID', 'nokey', '1-1'], '-ERR no such key\r\n'],
      [['XSETID', 's', '100-0', 'ENTRIESADDED', '1'], '+OK\r\n'],
      [['XSETID', 's', '100-0', 'ENTRIESADDED', '0'], '+OK\r\n'],
      [
        ['XSETID', 's', '100-0', 'MAXDELETEDID', '200-0'],
        '-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n',
      ],
      [['XSETID', 's', '100-0', 'MAXDELETEDID', '50-0', 'ENTRIESADDED', '10'], '+OK\r\n'],
      [['XSETID', 's', '10-0'], '+OK\r\n'],
      [['XADD', 's', '99', 'a', 'b'], '$4\r\n99-0\r\n'],
      [
        ['XINFO', 'STREAM', 's'],
        '*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n99-0\r\n$20\r\nmax-deleted-entry-id\r\n$4\r\n50-0\r\n$13\r\nentries-added\r\n:11\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n99-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n99-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n99-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n',
      ],
      [['XDEL', 's', '100-0'], ':0\r\n'],
      [
        ['XINFO', 'STREAM', 's'],
        '*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n99-0\r\n$20\r\nmax-deleted-entry-id\r\n$4\r\n50-0\r\n$13\r\nentries-added\r\n:11\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n99-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n99-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n99-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n',
      ],
      [['XINFO', 'STREAM', 'nokey'], '-ERR no such key\r\n'],
      [
        ['XINFO', 'STREAM', 's', 'FULL'],
        '*18\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n99-0\r\n$20\r\nmax-deleted-entry-id\r\n$4\r\n50-0\r\n$13\r\nentries-added\r\n:11\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n99-0\r\n$7\r\nentries\r\n*1\r\n*2\r\n$4\r\n99-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$6\r\ngroups\r\n*0\r\n',
      ],
      [
        ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1'],
        '*18\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n99-0\r\n$20\r\nmax-deleted-entry-id\r\n$4\r\n50-0\r\n$13\r\nentries-added\r\n:11\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n99-0\r\n$7\r\nentries\r\n*1\r\n*2\r\n$4\r\n99-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$6\r\ngroups\r\n*0\r\n',
      ],
      [
        ['XINFO', 'STREAM', 's', 'FOO'],
        "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.\r\n",
      ],
      [['XINFO', 'GROUPS', 's'], '*0\r\n'],
      [['XINFO', 'CONSUMERS', 's', 'g'], "-NOGROUP No such consumer group 'g' for key name 's'\r\n"],
      [['XINFO', 'FOO', 's'], "-ERR unknown subcommand 'FOO'. Try XINFO HELP.\r\n"],
      [['XINFO'], "-ERR wrong number of arguments for 'xinfo' command\r\n"],
      [
        ['XINFO', 'HELP'],
        '*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n',
      ],
      [
        ['XGROUP', 'HELP'],
        "*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n",
      ],
    ])
  })

  it('consumer groups: XGROUP, XREADGROUP, XREAD, XPENDING, XACK, XCLAIM, XAUTOCLAIM, XINFO GROUPS', async () => {
    await expectReplies([
      [
        ['XGROUP', 'CREATE', 's', 'g', '$'],
        '-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n',
      ],
      [['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'], '+OK\r\n'],
      [['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'], '-BUSYGROUP Consumer Group name already exists\r\n'],
      [['XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD', '5'], '+OK\r\n'],
      [
        ['XGROUP', 'CREATE', 's', 'g3', '0', 'ENTRIESREAD', '-2'],
        '-ERR value for ENTRIESREAD must be positive or -1\r\n',
      ],
      [
        ['XGROUP', 'CREATE', 's', 'g4', '0', 'FOO'],
        "-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n",
      ],
      [['XGROUP', 'CREATE', 's', 'g5', 'x'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XGROUP', 'SETID', 's', 'nog', '0'], "-NOGROUP No such consumer group 'nog' for key name 's'\r\n"],
      [
        ['XGROUP', 'SETID', 'nokey', 'g', '0'],
        '-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n',
      ],
      [['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '3'], '+OK\r\n'],
      [['XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'], ':1\r\n'],
      [['XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'], ':0\r\n'],
      [['XGROUP', 'CREATECONSUMER', 's', 'nog', 'alice'], "-NOGROUP No such consumer group 'nog' for key name 's'\r\n"],
      [['XADD', 's', '1-1', 'a', '1'], '$3\r\n1-1\r\n'],
      [['XADD', 's', '1-2', 'b', '2'], '$3\r\n1-2\r\n'],
      [['XADD', 's', '1-3', 'c', '3'], '$3\r\n1-3\r\n'],
      [['XADD', 's', '1-4', 'd', '4'], '$3\r\n1-4\r\n'],
      [
        ['XINFO', 'GROUPS', 's'],
        '*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:-1\r\n',
      ],
      [
        ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '2', 'STREAMS', 's', '>'],
        '*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n',
      ],
      [
        ['XINFO', 'GROUPS', 's'],
        '*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-2\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:-1\r\n',
      ],
      [
        ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'],
        '*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n',
      ],
      [
        ['XREADGROUP', 'GROUP', 'g', 'carol', 'NOACK', 'STREAMS', 's', '>'],
        '*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-4\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n',
      ],
      [['XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '>'], '*-1\r\n'],
      [
        ['XREADGROUP', 'GROUP', 'nog', 'bob', 'STREAMS', 's', '>'],
        "-NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option\r\n",
      ],
      [
        ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '$'],
        '-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n',
      ],
      [
        ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's'],
        "-ERR wrong number of arguments for 'xreadgroup' command\r\n",
      ],
      [['XREADGROUP', 'STREAMS', 's', '>'], "-ERR wrong number of arguments for 'xreadgroup' command\r\n"],
      [
        ['XREAD', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'],
        '-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n',
      ],
      [
        ['XREAD', 'NOACK', 'STREAMS', 's', '>'],
        '-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.\r\n',
      ],
      [
        ['XREAD', 'STREAMS', 's', '>'],
        '-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n',
      ],
      [['XREAD', 'STREAMS', 's', '0', 'nokey', '0'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [
        ['XREAD', 'COUNT', '1', 'STREAMS', 's', 'nokey', '0', '0'],
        '*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n',
      ],
      [['XREAD', 'STREAMS', 's', '$'], '*-1\r\n'],
      [['XREAD', 'COUNT', 'x', 'STREAMS', 's', '0'], '-ERR value is not an integer or out of range\r\n'],
      [['XREAD', 'BLOCK', 'x', 'STREAMS', 's', '0'], '-ERR timeout is not an integer or out of range\r\n'],
      [['XREAD', 'BLOCK', '-1', 'STREAMS', 's', '0'], '-ERR timeout is negative\r\n'],
      [['XREAD', 'STREAMS'], "-ERR wrong number of arguments for 'xread' command\r\n"],
      [['XREAD', 'COUNT', '1'], "-ERR wrong number of arguments for 'xread' command\r\n"],
      [['XPENDING', 's', 'g'], '*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n1-2\r\n*1\r\n*2\r\n$3\r\nbob\r\n$1\r\n2\r\n'],
      [['XPENDING', 's', 'g', '-', '+', '0'], '*0\r\n'],
      [['XPENDING', 's', 'g', 'x', '+', '10'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XPENDING', 's', 'g', 'IDLE', 'x', '-', '+', '10'], '-ERR value is not an integer or out of range\r\n'],
      [['XPENDING', 's', 'g', 'IDLE', '0', '-', '+'], '-ERR syntax error\r\n'],
      [['XPENDING', 's', 'nog'], "-NOGROUP No such key 's' or consumer group 'nog'\r\n"],
      [['XPENDING', 'nokey', 'g'], "-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"],
      [['XPENDING', 's', 'g', '-', '+', '10', 'nobody'], '*0\r\n'],
      [['XACK', 's', 'g', '1-1', '1-1', '9-9'], ':1\r\n'],
      [['XACK', 's', 'g', 'x'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XACK', 's', 'nog', '1-2'], ':0\r\n'],
      [['XACK', 'nokey', 'g', '1-2'], ':0\r\n'],
      [['XPENDING', 's', 'g'], '*4\r\n:1\r\n$3\r\n1-2\r\n$3\r\n1-2\r\n*1\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n'],
      [['XDEL', 's', '1-2'], ':1\r\n'],
      [
        ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'],
        '*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-2\r\n*-1\r\n',
      ],
      [['XCLAIM', 's', 'g', 'carol', '0', '1-2', '1-3', 'JUSTID'], '*0\r\n'],
      [['XCLAIM', 's', 'g', 'carol', '0', '1-2', '1-3', '1-4', 'RETRYCOUNT', '5'], '*0\r\n'],
      [['XCLAIM', 's', 'g', 'dave', '0', '1-4', 'FORCE', 'JUSTID'], '*1\r\n$3\r\n1-4\r\n'],
      [
        ['XCLAIM', 's', 'g', 'dave', '0', '1-1', 'FORCE', 'RETRYCOUNT', '7'],
        '*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n',
      ],
      [['XCLAIM', 's', 'g', 'dave', 'x', '1-1'], '-ERR Invalid min-idle-time argument for XCLAIM\r\n'],
      [['XCLAIM', 's', 'g', 'dave', '0', '1-1', 'BOGUS'], "-ERR Unrecognized XCLAIM option 'BOGUS'\r\n"],
      [['XCLAIM', 's', 'g', 'dave', '0', '1-1', 'IDLE', 'x'], '-ERR Invalid IDLE option argument for XCLAIM\r\n'],
      [['XCLAIM', 's', 'g', 'dave', '0', '1-1', 'LASTID', '5-0', 'JUSTID'], '*1\r\n$3\r\n1-1\r\n'],
      [['XCLAIM', 'nokey', 'g', 'dave', '0', '1-1'], "-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"],
      [
        ['XINFO', 'GROUPS', 's'],
        '*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:7\r\n$3\r\nlag\r\n:-3\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n$-1\r\n',
      ],
      [['XPENDING', 's', 'g'], '*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n1-4\r\n*1\r\n*2\r\n$4\r\ndave\r\n$1\r\n2\r\n'],
      [
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0'],
        '*3\r\n$3\r\n0-0\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-4\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*0\r\n',
      ],
      [
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'COUNT', '1', 'JUSTID'],
        '*3\r\n$3\r\n1-4\r\n*1\r\n$3\r\n1-1\r\n*0\r\n',
      ],
      [['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'COUNT', '0'], '-ERR COUNT must be > 0\r\n'],
      [['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'COUNT', 'x'], '-ERR COUNT must be > 0\r\n'],
      [['XAUTOCLAIM', 's', 'g', 'erin', 'x', '0'], '-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n'],
      [['XAUTOCLAIM', 's', 'g', 'erin', '0', 'x'], '-ERR Invalid stream ID specified as stream command argument\r\n'],
      [['XAUTOCLAIM', 's', 'nog', 'erin', '0', '0'], "-NOGROUP No such key 's' or consumer group 'nog'\r\n"],
      [['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'FOO'], '-ERR syntax error\r\n'],
      [
        ['XINFO', 'GROUPS', 's'],
        '*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:5\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:7\r\n$3\r\nlag\r\n:-3\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n$-1\r\n',
      ],
      [['XGROUP', 'DELCONSUMER', 's', 'g', 'erin'], ':2\r\n'],
      [['XGROUP', 'DELCONSUMER', 's', 'g', 'nobody'], ':0\r\n'],
      [['XPENDING', 's', 'g'], '*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n'],
      [['XGROUP', 'DESTROY', 's', 'g2'], ':1\r\n'],
      [['XGROUP', 'DESTROY', 's', 'g2'], ':0\r\n'],
      [
        ['XINFO', 'GROUPS', 's'],
        '*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:7\r\n$3\r\nlag\r\n:-3\r\n',
      ],
      [['XGROUP', 'FOO', 's', 'g'], "-ERR unknown subcommand 'FOO'. Try XGROUP HELP.\r\n"],
      [['XGROUP', 'CREATE', 's'], "-ERR wrong number of arguments for 'xgroup|create' command\r\n"],
      [
        ['XGROUP', 'DESTROY', 'nokey', 'g'],
        '-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n',
      ],
      [['XADD', 's', '2-1', 'x', 'y'], '$3\r\n2-1\r\n'],
      [['XDEL', 's', '1-3'], ':1\r\n'],
      [
        ['XINFO', 'GROUPS', 's'],
        '*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:7\r\n$3\r\nlag\r\n:-2\r\n',
      ],
      [['XGROUP', 'SETID', 's', 'g', '$'], '+OK\r\n'],
      [
        ['XINFO', 'GROUPS', 's'],
        '*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-1\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n',
      ],
      [['XGROUP', 'CREATE', 's', 'g9', '1-1'], '+OK\r\n'],
      [
        ['XINFO', 'GROUPS', 's'],
        '*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-1\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng9\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n',
      ],
      [
        ['XREADGROUP', 'GROUP', 'g9', 'z', 'STREAMS', 's', '>'],
        '*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-4\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n',
      ],
      [
        ['XINFO', 'GROUPS', 's'],
        '*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-1\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng9\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-1\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:0\r\n',
      ],
      [['TYPE', 's'], '+stream\r\n'],
    ])
  })
})

function entries(s: RedisStream, reverse = false): string[] {
  const out: string[] = []
  s.forEachInRange(ZERO_ID, MAX_STREAM_ID, reverse, (id, fields) => {
    out.push(`${id >> 64n}-${id & 0xffffffffffffffffn}:${fields.join(',')}`)
    return true
  })
  return out
}

describe('the stream value', () => {
  it('opens a new node every 100 entries and finds every entry by binary search', () => {
    const s = new RedisStream()
    for (let i = 1; i <= 1000; i++) s.append(streamId(BigInt(i), 0n), ['f', String(i)], 1 + String(i).length)
    expect(s.nodeCount).toBe(10)
    expect(s.length).toBe(1000)
    for (const i of [1, 100, 101, 555, 1000]) expect(s.get(streamId(BigInt(i), 0n))).toEqual(['f', String(i)])
    expect(s.get(streamId(1001n, 0n))).toBeUndefined()
    expect(s.get(streamId(5n, 1n))).toBeUndefined()
  })

  it('approximate MAXLEN trimming removes whole nodes only, exact trimming the rest too', () => {
    const s = new RedisStream()
    for (let i = 1; i <= 250; i++) s.append(streamId(BigInt(i), 0n), ['f', 'v'], 2)
    expect(s.trim('maxlen', 120, ZERO_ID, true, 0)).toBe(100)
    expect(s.length).toBe(150)
    expect(s.trim('maxlen', 120, ZERO_ID, false, 0)).toBe(30)
    expect(s.length).toBe(120)
    expect(s.firstId).toBe(streamId(131n, 0n))
    expect(s.trim('minid', 0, streamId(200n, 0n), false, 0)).toBe(69)
    expect(entries(s)[0]).toBe('200-0:f,v')
  })

  it('a node whose last live entry is deleted goes away; ranges skip deleted entries both ways', () => {
    const s = new RedisStream()
    for (let i = 1; i <= 300; i++) s.append(streamId(BigInt(i), 0n), ['f', String(i)], 3)
    for (let i = 101; i <= 200; i++) expect(s.delete(streamId(BigInt(i), 0n))).toBe(true)
    expect(s.delete(streamId(150n, 0n))).toBe(false)
    expect(s.nodeCount).toBe(2)
    expect(entries(s)).toHaveLength(200)
    expect(entries(s, true)[99]).toBe('201-0:f,201')
    expect(entries(s, true)[100]).toBe('100-0:f,100')
  })

  it('matches a simple model under random appends, deletes, trims and range reads', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('add' as const), n: fc.integer({ min: 1, max: 40 }) }),
            fc.record({ op: fc.constant('del' as const), at: fc.nat() }),
            fc.record({ op: fc.constant('trim' as const), keep: fc.nat({ max: 300 }), approx: fc.boolean() }),
            fc.record({ op: fc.constant('range' as const), a: fc.nat({ max: 2000 }), b: fc.nat({ max: 2000 }) }),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const s = new RedisStream()
          let model: number[] = []
          let next = 1
          for (const o of ops) {
            if (o.op === 'add') {
              for (let i = 0; i < o.n; i++, next++) {
                s.append(streamId(BigInt(next), 0n), ['f', 'v'], 2)
                model.push(next)
              }
            } else if (o.op === 'del' && model.length > 0) {
              const victim = model[o.at % model.length]
              expect(s.delete(streamId(BigInt(victim), 0n))).toBe(true)
              model = model.filter((m) => m !== victim)
            } else if (o.op === 'trim') {
              const removed = s.trim('maxlen', o.keep, ZERO_ID, o.approx, 0)
              if (!o.approx) expect(model.length - removed).toBe(Math.min(model.length, o.keep))
              model = model.slice(removed)
            } else if (o.op === 'range') {
              const [lo, hi] = o.a <= o.b ? [o.a, o.b] : [o.b, o.a]
              const got: number[] = []
              s.forEachInRange(streamId(BigInt(lo), 0n), streamId(BigInt(hi), 0n), false, (id) => {
                got.push(Number(id >> 64n))
                return true
              })
              expect(got).toEqual(model.filter((m) => m >= lo && m <= hi))
            }
            expect(s.length).toBe(model.length)
          }
          expect(entries(s).map((e) => Number(e.split('-')[0]))).toEqual(model)
        },
      ),
      { seed: 16, numRuns: 300 },
    )
  })

  it('keeps fields and values byte for byte: commas, digits, empty, long and high bytes', async () => {
    const { conn } = testEngine()
    const values = ['a,b', '3,xyz', '', ',', '12', 'L'.repeat(5000), '\u00ff\u0000\u0080']
    const argv = values.flatMap((v, i) => [Buffer.from(`f${i},`, 'latin1'), Buffer.from(v, 'latin1')])
    await conn.call('XADD', 's', '1-1', ...argv)
    const reply = (await conn.call('XRANGE', 's', '-', '+')) as Array<[Buffer, Buffer[]]>
    expect(reply[0][1]).toEqual(argv)
  })

  it('COPY gives an independent stream with its groups and pending entries', async () => {
    const { resp } = testEngine()
    await resp('XADD', 's', '1-1', 'a', '1')
    await resp('XGROUP', 'CREATE', 's', 'g', '0')
    await resp('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')
    expect(await resp('COPY', 's', 't')).toBe(':1\r\n')
    await resp('XACK', 's', 'g', '1-1')
    await resp('XADD', 's', '2-1', 'b', '2')
    expect(await resp('XLEN', 't')).toBe(':1\r\n')
    expect(await resp('XPENDING', 't', 'g')).toBe(
      '*4\r\n:1\r\n$3\r\n1-1\r\n$3\r\n1-1\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n',
    )
    expect(await resp('XPENDING', 's', 'g')).toBe('*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n')
  })
})

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
}

function track(conn: LocalConnection, ...args: string[]): { done: () => boolean; text: () => string } {
  let reply: Reply | undefined
  let finished = false
  void conn.call(...args).then((r) => {
    reply = r
    finished = true
  })
  return { done: () => finished, text: () => (finished ? respText(reply as Reply) : '(pending)') }
}

describe('generated IDs', () => {
  it('take the engine clock: a new millisecond starts at sequence 0, the same or an earlier one counts on', async () => {
    const { clock, resp } = testEngine()
    clock.set(1000)
    expect(await resp('XADD', 's', '*', 'a', '1')).toBe('$6\r\n1000-0\r\n')
    expect(await resp('XADD', 's', '*', 'a', '1')).toBe('$6\r\n1000-1\r\n')
    clock.set(500)
    expect(await resp('XADD', 's', '*', 'a', '1')).toBe('$6\r\n1000-2\r\n')
    clock.set(2000)
    expect(await resp('XADD', 's', '*', 'a', '1')).toBe('$6\r\n2000-0\r\n')
    expect(await resp('XADD', 's', '2000-*', 'a', '1')).toBe('$6\r\n2000-1\r\n')
    expect(await resp('XADD', 's', '3000-*', 'a', '1')).toBe('$6\r\n3000-0\r\n')
  })
})

describe('blocking stream reads', () => {
  it('XREAD BLOCK with $ waits for the next XADD; readers are served in arrival order', async () => {
    const { engine, conn, connect } = testEngine()
    const writer = connect()
    await writer.call('XADD', 's', '1-1', 'a', '1')
    const first = track(conn, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')
    const second = track(connect(), 'XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '$')
    await settle()
    expect(engine.blocking.blockedClients).toBe(2)
    await writer.call('XADD', 's', '2-1', 'b', '2')
    await settle()
    expect(first.text()).toBe('*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n')
    expect(second.text()).toBe(first.text())
    expect(engine.blocking.blockedClients).toBe(0)
  })

  it('times out on the engine clock with a nil array, and only then', async () => {
    const { engine, clock, conn } = testEngine()
    const read = track(conn, 'XREAD', 'BLOCK', '1500', 'STREAMS', 's', '$')
    await settle()
    clock.advance(1499)
    engine.runDueTimers()
    await settle()
    expect(read.done()).toBe(false)
    clock.advance(1)
    engine.runDueTimers()
    await settle()
    expect(read.text()).toBe('*-1\r\n')
  })

  it('a blocked XREADGROUP takes the new entry into its PEL; a second consumer waits for the next', async () => {
    const { engine, conn, connect } = testEngine()
    const writer = connect()
    await writer.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')
    const alice = track(conn, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>')
    const bob = track(connect(), 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>')
    await settle()
    await writer.call('XADD', 's', '1-1', 'a', '1')
    await settle()
    expect(alice.text()).toBe('*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n')
    expect(bob.done()).toBe(false)
    await writer.call('XADD', 's', '2-1', 'b', '2')
    await settle()
    expect(bob.text()).toContain('2-1')
    expect(respText(await writer.call('XPENDING', 's', 'g'))).toBe(
      '*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n',
    )
    expect(engine.blocking.blockedClients).toBe(0)
  })

  it('inside MULTI a blocking read answers at once as a timeout', async () => {
    const { resp } = testEngine()
    await resp('MULTI')
    await resp('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')
    expect(await resp('EXEC')).toBe('*1\r\n*-1\r\n')
  })
})
