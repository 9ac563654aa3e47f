package dev.podnet.netlink.nft;

/**
 * The numbers of nf_tables over {@code NETLINK_NETFILTER} ({@code linux/netfilter/nfnetlink.h},
 * {@code nf_tables.h}), grouped as the kernel groups its enums. Integer attributes of nf_tables are
 * big-endian on the wire (register numbers, priorities and verdict codes included); data values
 * ({@code NFTA_DATA_VALUE}) are register images: packet fields in network order, meta, ct and fib
 * values in host order, every field of a concatenation padded to 4 bytes.
 */
public final class Nft {
    private Nft() {}

    /** {@code NETLINK_NETFILTER}, the protocol of the socket. */
    public static final int NETLINK_NETFILTER = 12;

    /** {@code NFNL_SUBSYS_NFTABLES}: the high byte of every nf_tables message type. */
    public static final int SUBSYS_NFTABLES = 10;

    /** {@code NFNETLINK_V0}, the version byte of {@code struct nfgenmsg}. */
    public static final int NFNETLINK_V0 = 0;

    /** {@code NFNL_BATCH_GENID}: in BATCH_BEGIN, the generation the batch was computed against (be32). */
    public static final int NFNL_BATCH_GENID = 1;

    /** The length of {@code struct nfgenmsg}: family, version, big-endian resource id. */
    public static final int NFGENMSG_LENGTH = 4;

    /** Message types ({@code nlmsg_type}): {@code SUBSYS_NFTABLES << 8 | NFT_MSG_*}, and the batch markers. */
    public static final class Msg {
        private Msg() {}

        public static final int BATCH_BEGIN = 0x10;
        public static final int BATCH_END = 0x11;

        public static final int NEWTABLE = type(0);
        public static final int GETTABLE = type(1);
        public static final int DELTABLE = type(2);
        public static final int NEWCHAIN = type(3);
        public static final int GETCHAIN = type(4);
        public static final int DELCHAIN = type(5);
        public static final int NEWRULE = type(6);
        public static final int GETRULE = type(7);
        public static final int DELRULE = type(8);
        public static final int NEWSET = type(9);
        public static final int GETSET = type(10);
        public static final int DELSET = type(11);
        public static final int NEWSETELEM = type(12);
        public static final int GETSETELEM = type(13);
        public static final int DELSETELEM = type(14);
        public static final int NEWGEN = type(15);
        public static final int GETGEN = type(16);
        /** Deletes a table if it exists (kernel 6.3 and later). */
        public static final int DESTROYTABLE = type(26);
        /** Deletes set elements that exist, ignoring missing ones (kernel 6.3 and later). */
        public static final int DESTROYSETELEM = type(30);

        private static int type(int msg) {
            return SUBSYS_NFTABLES << 8 | msg;
        }

        /** The name of a message type, as the kernel's enum has it ({@code NFT_MSG_NEWSETELEM}). */
        public static String name(int type) {
            if (type == BATCH_BEGIN) {
                return "NFNL_MSG_BATCH_BEGIN";
            }
            if (type == BATCH_END) {
                return "NFNL_MSG_BATCH_END";
            }
            if (type >> 8 != SUBSYS_NFTABLES) {
                return "nfnetlink type 0x" + Integer.toHexString(type);
            }
            String[] names = {
                "NEWTABLE",
                "GETTABLE",
                "DELTABLE",
                "NEWCHAIN",
                "GETCHAIN",
                "DELCHAIN",
                "NEWRULE",
                "GETRULE",
                "DELRULE",
                "NEWSET",
                "GETSET",
                "DELSET",
                "NEWSETELEM",
                "GETSETELEM",
                "DELSETELEM",
                "NEWGEN",
                "GETGEN"
            };
            int msg = type & 0xff;
            if (msg < names.length) {
                return "NFT_MSG_" + names[msg];
            }
            return switch (msg) {
                case 26 -> "NFT_MSG_DESTROYTABLE";
                case 30 -> "NFT_MSG_DESTROYSETELEM";
                default -> "NFT_MSG_" + msg;
            };
        }
    }

    /** Protocol families of {@code nfgen_family} ({@code NFPROTO_*}). */
    public static final class Family {
        private Family() {}

        public static final int UNSPEC = 0;
        public static final int INET = 1;
        public static final int IPV4 = 2;
        public static final int IPV6 = 10;
    }

    /** {@code NFTA_TABLE_*}. */
    public static final class Table {
        private Table() {}

        public static final int NAME = 1;
        public static final int FLAGS = 2;
        public static final int USE = 3;
        public static final int HANDLE = 4;
        public static final int USERDATA = 6;
    }

    /** {@code NFTA_CHAIN_*}. */
    public static final class Chain {
        private Chain() {}

        public static final int TABLE = 1;
        public static final int HANDLE = 2;
        public static final int NAME = 3;
        public static final int HOOK = 4;
        public static final int POLICY = 5;
        public static final int USE = 6;
        public static final int TYPE = 7;
        public static final int FLAGS = 10;
    }

    /** {@code NFTA_HOOK_*}, nested in {@link Chain#HOOK}. */
    public static final class Hook {
        private Hook() {}

        public static final int HOOKNUM = 1;
        public static final int PRIORITY = 2;

        /** {@code NF_INET_*} hook numbers. */
        public static final int PRE_ROUTING = 0;

        public static final int LOCAL_IN = 1;
        public static final int FORWARD = 2;
        public static final int LOCAL_OUT = 3;
        public static final int POST_ROUTING = 4;

        /** Named priorities: {@code dstnat}, {@code filter}, {@code srcnat}. */
        public static final int PRIORITY_DSTNAT = -100;

        public static final int PRIORITY_FILTER = 0;
        public static final int PRIORITY_SRCNAT = 100;
    }

    /** {@code NFTA_RULE_*}. */
    public static final class Rule {
        private Rule() {}

        public static final int TABLE = 1;
        public static final int CHAIN = 2;
        public static final int HANDLE = 3;
        public static final int EXPRESSIONS = 4;
        public static final int POSITION = 6;
        public static final int USERDATA = 7;
    }

    /** {@code NFTA_LIST_ELEM} and {@code NFTA_EXPR_*}: one expression of a rule. */
    public static final class Expr {
        private Expr() {}

        public static final int LIST_ELEM = 1;
        public static final int NAME = 1;
        public static final int DATA = 2;
    }

    /** {@code NFTA_SET_*}. */
    public static final class Set {
        private Set() {}

        public static final int TABLE = 1;
        public static final int NAME = 2;
        public static final int FLAGS = 3;
        public static final int KEY_TYPE = 4;
        public static final int KEY_LEN = 5;
        public static final int DATA_TYPE = 6;
        public static final int DATA_LEN = 7;
        public static final int POLICY = 8;
        public static final int DESC = 9;
        public static final int ID = 10;
        public static final int USERDATA = 13;
        public static final int HANDLE = 16;

        /** {@code NFTA_SET_DESC_*}, nested in {@link #DESC}. */
        public static final int DESC_SIZE = 1;

        public static final int DESC_CONCAT = 2;
        /** {@code NFTA_SET_FIELD_LEN}, in bytes (not bits, whatever the uapi comment says). */
        public static final int FIELD_LEN = 1;

        /** {@code NFT_SET_*} flags. */
        public static final int F_CONSTANT = 0x2;

        public static final int F_INTERVAL = 0x4;
        public static final int F_MAP = 0x8;
        public static final int F_CONCAT = 0x80;
    }

    /** {@code NFTA_SET_ELEM_LIST_*} and {@code NFTA_SET_ELEM_*}. */
    public static final class Elem {
        private Elem() {}

        public static final int LIST_TABLE = 1;
        public static final int LIST_SET = 2;
        public static final int LIST_ELEMENTS = 3;

        public static final int KEY = 1;
        public static final int DATA = 2;
        public static final int FLAGS = 3;
        public static final int USERDATA = 6;
        public static final int KEY_END = 10;

        /** {@code NFT_SET_ELEM_INTERVAL_END}: the exclusive end of an interval. */
        public static final int F_INTERVAL_END = 0x1;
    }

    /** {@code NFTA_DATA_*}, {@code NFTA_VERDICT_*} and the verdict codes. */
    public static final class Data {
        private Data() {}

        public static final int VALUE = 1;
        public static final int VERDICT = 2;
        public static final int VERDICT_CODE = 1;
        public static final int VERDICT_CHAIN = 2;

        public static final int DROP = 0;
        public static final int ACCEPT = 1;
        public static final int CONTINUE = -1;
        public static final int BREAK = -2;
        public static final int JUMP = -3;
        public static final int GOTO = -4;
        public static final int RETURN = -5;
    }

    /** {@code NFTA_GEN_*}: the reply to GETGEN. */
    public static final class Gen {
        private Gen() {}

        public static final int ID = 1;
        public static final int PROC_PID = 2;
        public static final int PROC_NAME = 3;
    }

    /** Registers: {@code NFT_REG_VERDICT}, the 16-byte {@code NFT_REG_1..4}, the 4-byte {@code NFT_REG32_00..15}. */
    public static final class Reg {
        private Reg() {}

        public static final int VERDICT = 0;
        public static final int R1 = 1;
        public static final int R2 = 2;

        /** {@code NFT_REG32_nn}: 8 + nn. */
        public static int reg32(int n) {
            return 8 + n;
        }
    }

    /** The attributes of the expressions podnet writes ({@code NFTA_META_*}, {@code NFTA_PAYLOAD_*} ...). */
    public static final class Attr {
        private Attr() {}

        public static final int META_DREG = 1;
        public static final int META_KEY = 2;

        public static final int PAYLOAD_DREG = 1;
        public static final int PAYLOAD_BASE = 2;
        public static final int PAYLOAD_OFFSET = 3;
        public static final int PAYLOAD_LEN = 4;

        public static final int CMP_SREG = 1;
        public static final int CMP_OP = 2;
        public static final int CMP_DATA = 3;

        public static final int BITWISE_SREG = 1;
        public static final int BITWISE_DREG = 2;
        public static final int BITWISE_LEN = 3;
        public static final int BITWISE_MASK = 4;
        public static final int BITWISE_XOR = 5;

        public static final int LOOKUP_SET = 1;
        public static final int LOOKUP_SREG = 2;
        public static final int LOOKUP_DREG = 3;
        public static final int LOOKUP_FLAGS = 5;

        public static final int IMMEDIATE_DREG = 1;
        public static final int IMMEDIATE_DATA = 2;

        public static final int NAT_TYPE = 1;
        public static final int NAT_FAMILY = 2;
        public static final int NAT_REG_ADDR_MIN = 3;
        public static final int NAT_REG_ADDR_MAX = 4;
        public static final int NAT_REG_PROTO_MIN = 5;
        public static final int NAT_REG_PROTO_MAX = 6;
        public static final int NAT_FLAGS = 7;

        public static final int CT_DREG = 1;
        public static final int CT_KEY = 2;

        public static final int FIB_DREG = 1;
        public static final int FIB_RESULT = 2;
        public static final int FIB_FLAGS = 3;

        public static final int COUNTER_BYTES = 1;
        public static final int COUNTER_PACKETS = 2;
    }

    /** Values the expressions' attributes take. */
    public static final class Val {
        private Val() {}

        /** {@code NFT_META_*}. */
        public static final int META_IIFNAME = 6;

        public static final int META_OIFNAME = 7;
        public static final int META_NFPROTO = 15;
        public static final int META_L4PROTO = 16;

        /** {@code NFT_PAYLOAD_*_HEADER}. */
        public static final int PAYLOAD_NETWORK = 1;

        public static final int PAYLOAD_TRANSPORT = 2;

        /** {@code NFT_CMP_*}. */
        public static final int CMP_EQ = 0;

        public static final int CMP_NEQ = 1;

        /** {@code NFT_LOOKUP_F_INV}. */
        public static final int LOOKUP_INV = 1;

        /** {@code NFT_NAT_*}. */
        public static final int NAT_SNAT = 0;

        public static final int NAT_DNAT = 1;

        /** {@code NF_NAT_RANGE_*}. */
        public static final int NAT_MAP_IPS = 1;

        public static final int NAT_PROTO_SPECIFIED = 2;

        /** {@code NFT_CT_*} keys and the state and status bits (host order in the register). */
        public static final int CT_STATE = 0;

        public static final int CT_STATUS = 2;
        public static final int CT_STATE_ESTABLISHED = 2;
        public static final int CT_STATE_RELATED = 4;
        public static final int CT_STATUS_DNAT = 0x20;

        /** {@code NFT_FIB_RESULT_ADDRTYPE} and {@code NFTA_FIB_F_DADDR}; {@code RTN_LOCAL} is 2. */
        public static final int FIB_RESULT_ADDRTYPE = 3;

        public static final int FIB_F_DADDR = 2;
        public static final int RTN_LOCAL = 2;
    }

    /** nft's data type numbers (set key and data types; for nft's printing, the kernel only stores them). */
    public static final class Type {
        private Type() {}

        public static final int IPV4_ADDR = 7;
        public static final int IPV6_ADDR = 8;
        public static final int INET_PROTO = 12;
        public static final int INET_SERVICE = 13;
        public static final int IFNAME = 41;

        /** A concatenation's type: the fields' types folded as nft folds them ({@code acc << 6 | type}). */
        public static int concat(int... types) {
            int acc = 0;
            for (int t : types) {
                acc = acc << 6 | t;
            }
            return acc;
        }
    }
}
