/* sample_gen.c -- the sample-event generator (see sample_gen.h).
 *
 * How it is built: order i is first planned as a plain C struct (smpPlan:
 * shop, buyer, address, lines, money, payment, scenario) from a random
 * stream seeded by (run id, seed, i) alone, so any order can be planned on
 * its own, in any order, by any process. Protobuf messages are built from
 * the plan only when an event is asked for, in the caller's arena.
 *
 * Scenarios are drawn by weight (per 10,000 orders, table `scenarios`);
 * on top of that a few orders at evenly spread positions are forced to
 * each scenario, so a small run (say 100 orders) still shows every rule.
 * The stock of every SKU is sized from the demand of the run (a planning
 * pass over all orders in cs_sample_new): normal SKUs get demand + 20 %,
 * "run-out" SKUs 90 % of their demand (the last orders to be verified get
 * OUT_OF_STOCK), "last unit" SKUs exactly one unit.
 *
 * Money is integer fen throughout and every order is consistent:
 * payable = items - discounts + shipping, paid = payable (except the OV-2
 * scenario, 1 fen off). Times are epoch ms in whole seconds, as platforms
 * write them (wholeSecond); the morning is front-loaded
 * (t = spread * u^1.7) like a real Double-11 midnight rush. */
#include "sample_gen.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/topics.h"
#include "cs/util.h"

/* ---- arena ------------------------------------------------------------------ */

#define ARENA_CHUNK (32 * 1024)

struct cs_sample_chunk {
    cs_sample_chunk *next; /* older chunk */
    size_t used, cap;      /* bytes of data[] in use / available */
    max_align_t data[];    /* the memory handed out */
};

void cs_sample_arena_init(cs_sample_arena *a) { a->head = NULL; }

void cs_sample_arena_reset(cs_sample_arena *a) {
    while (a->head) {
        cs_sample_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* Zeroed memory that lives until the arena is reset. */
static void *aAlloc(cs_sample_arena *a, size_t n) {
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->used + n > a->head->cap) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        cs_sample_chunk *c = cs_xmalloc(sizeof *c + cap);
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

static char *aStr(cs_sample_arena *a, const char *s) {
    size_t n = strlen(s ? s : "");
    char *p = aAlloc(a, n + 1);
    memcpy(p, s ? s : "", n);
    return p;
}

static char *aPrintf(cs_sample_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *aPrintf(cs_sample_arena *a, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return aStr(a, buf);
}

/* ---- deterministic randomness ------------------------------------------------ */

static uint64_t mix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct smpRng {
    uint64_t s; /* splitmix64 state */
} smpRng;

static uint64_t rngNext(smpRng *r) {
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix64(r->s);
}

static uint32_t rngBelow(smpRng *r, uint32_t n) { return n ? (uint32_t)(rngNext(r) % n) : 0; }
static int64_t rngRange(smpRng *r, int64_t lo, int64_t hi) {
    return lo + (int64_t)(rngNext(r) % (uint64_t)(hi - lo + 1));
}
static bool rngChance(smpRng *r, int per_mille) { return rngBelow(r, 1000) < (uint32_t)per_mille; }
static double rngUnit(smpRng *r) { return (double)(rngNext(r) >> 11) / 9007199254740992.0; }

/* Independent streams of one run. */
enum { STREAM_SCENARIO = 1, STREAM_ORDER, STREAM_HISTORY, STREAM_POISON, STREAM_INGEST };

/* ---- the demo shops' catalogues (deploy/config/shops.sample.json) ---------- */

typedef enum smpRole {
    SKU_NORMAL,
    SKU_RUNOUT,  /* popular: stock 90 % of demand (OV-8) */
    SKU_LAST,    /* limited: one unit (OV-8 "last unit") */
    SKU_GIFT,    /* giveaway line, price 0 (OV-10) */
    SKU_PRESALE, /* presale line (OV-10) */
} smpRole;

typedef struct smpSku {
    const char *sku;   /* "SKU-10006" */
    const char *title; /* listing title */
    int64_t price_fen; /* unit price */
    int weight;        /* popularity among NORMAL/RUNOUT picks */
    smpRole role;
    int restock_days; /* RUNOUT: restock expected start + N days; 0 = unknown */
} smpSku;

static const smpSku tbSkus[] = {
    {"SKU-10001", "加厚珊瑚绒睡衣女冬季家居服套装", 8900, 14, SKU_NORMAL, 0},
    {"SKU-10002", "羊毛混纺高领毛衣女宽松慵懒风", 15900, 10, SKU_NORMAL, 0},
    {"SKU-10003", "男士加绒牛仔裤修身直筒冬季", 12900, 9, SKU_NORMAL, 0},
    {"SKU-10004", "纯棉四件套床上用品1.8m床单被套", 19900, 8, SKU_NORMAL, 0},
    {"SKU-10005", "记忆棉枕头护颈椎枕单人", 6900, 7, SKU_NORMAL, 0},
    {"SKU-10006", "冬季加厚羽绒服女中长款白鸭绒", 39900, 12, SKU_RUNOUT, 1}, /* restock tomorrow: EX-1 */
    {"SKU-10007", "316不锈钢保温杯大容量男女士", 5900, 3, SKU_NORMAL, 0},
    {"SKU-10008", "毛绒拖鞋女冬季室内防滑", 2990, 11, SKU_NORMAL, 0},
    {"SKU-10009", "针织围巾女冬季百搭加厚", 4900, 6, SKU_NORMAL, 0},
    {"SKU-10010", "塑料收纳箱特大号三件装", 7990, 6, SKU_NORMAL, 0},
    {"SKU-10011", "电热毯双人双控除螨", 14900, 3, SKU_NORMAL, 0},
    {"SKU-10012", "儿童加厚连帽卫衣男女童", 6990, 6, SKU_NORMAL, 0},
    {"SKU-10099", "设计师联名限量款双面羊绒大衣", 129900, 0, SKU_LAST, 0},
    {"SKU-19001", "【赠品】旅行收纳袋", 0, 0, SKU_GIFT, 0},
    {"SKU-18001", "【预售】2027新款轻薄羽绒马甲", 25900, 0, SKU_PRESALE, 0},
};

static const smpSku tmSkus[] = {
    {"SKU-20001", "主动降噪无线蓝牙耳机", 59900, 10, SKU_NORMAL, 0},
    {"SKU-20002", "智能手环血氧心率睡眠监测", 19900, 12, SKU_NORMAL, 0},
    {"SKU-20003", "家用空气炸锅5L大容量可视", 29900, 12, SKU_RUNOUT, 0},
    {"SKU-20004", "扫地机器人扫拖一体全自动", 169900, 5, SKU_NORMAL, 0},
    {"SKU-20005", "304不锈钢电热水壶1.7L", 8900, 3, SKU_NORMAL, 0},
    {"SKU-20006", "破壁料理机家用静音", 49900, 6, SKU_NORMAL, 0},
    {"SKU-20007", "65W氮化镓快充充电器三口", 12900, 11, SKU_NORMAL, 0},
    {"SKU-20008", "机械键盘青轴有线RGB", 24900, 7, SKU_NORMAL, 0},
    {"SKU-20009", "手持挂烫机家用小型", 15900, 6, SKU_NORMAL, 0},
    {"SKU-20010", "智能门锁指纹密码锁", 129900, 4, SKU_NORMAL, 0},
    {"SKU-20011", "冷暖两用空调扇", 39900, 4, SKU_NORMAL, 0},
    {"SKU-20099", "限定配色无线游戏手柄", 39900, 0, SKU_LAST, 0},
    {"SKU-29001", "【赠品】Type-C数据线1米", 0, 0, SKU_GIFT, 0},
    {"SKU-28001", "【预售】新款11英寸平板电脑", 259900, 0, SKU_PRESALE, 0},
};

static const smpSku ownSkus[] = {
    {"SKU-30001", "西湖龙井明前特级250g", 36800, 10, SKU_NORMAL, 0},
    {"SKU-30002", "安吉白茶礼盒装200g", 29800, 8, SKU_NORMAL, 0},
    {"SKU-30003", "云南普洱熟茶饼357g", 16800, 9, SKU_NORMAL, 0},
    {"SKU-30004", "宜兴紫砂壶手工朱泥西施壶", 58800, 4, SKU_NORMAL, 0},
    {"SKU-30005", "功夫茶具套装家用茶杯", 19800, 7, SKU_NORMAL, 0},
    {"SKU-30006", "桂花乌龙茶三角茶包", 4900, 12, SKU_NORMAL, 0},
    {"SKU-30007", "武夷山大红袍岩茶礼盒", 26800, 10, SKU_RUNOUT, 1},
    {"SKU-39001", "【赠品】品鉴小样三泡装", 0, 0, SKU_GIFT, 0},
    {"SKU-38001", "【预售】2027明前龙井预订", 48800, 0, SKU_PRESALE, 0},
};

static const smpSku usSkus[] = {
    {"SKU-30001", "西湖龙井明前特级250g", 36800, 10, SKU_NORMAL, 0},
    {"SKU-30003", "云南普洱熟茶饼357g", 16800, 9, SKU_NORMAL, 0},
    {"SKU-30006", "桂花乌龙茶三角茶包", 4900, 12, SKU_NORMAL, 0},
};

typedef struct smpShop {
    const char *id;
    Cs__V1__Channel channel;
    const smpSku *skus;
    int nskus;
    const char *couriers[4]; /* chosen at order time, by weight */
    int courier_w[4];
    int weight; /* share of plain orders */
} smpShop;

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const smpShop shops[] = {
    {"tb-demo",
     CS__V1__CHANNEL__CHANNEL_TAOBAO,
     tbSkus,
     NELEM(tbSkus),
     {"YTO", "ZTO", "SF", NULL},
     {70, 20, 10, 0},
     45},
    {"tm-demo", CS__V1__CHANNEL__CHANNEL_TMALL, tmSkus, NELEM(tmSkus), {"SF", "YTO", NULL, NULL}, {60, 40, 0, 0}, 38},
    {"own-demo",
     CS__V1__CHANNEL__CHANNEL_OWN_SITE,
     ownSkus,
     NELEM(ownSkus),
     {"SF", "EMS", NULL, NULL},
     {60, 40, 0, 0},
     15},
    {"us-dst", CS__V1__CHANNEL__CHANNEL_OWN_SITE, usSkus, NELEM(usSkus), {"SF", NULL, NULL, NULL}, {1, 0, 0, 0}, 2},
};
enum { SHOP_TB, SHOP_TM, SHOP_OWN, SHOP_US, NSHOPS };

/* ---- people and places ---------------------------------------------------- */

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴",   "周",  "徐",
                                       "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",   "郑",  "梁",
                                       "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳", "上官"};
static const char *const givens[] = {"伟",   "芳",   "娜",   "秀英", "敏",   "静",   "丽",   "强",   "磊",   "军",
                                     "洋",   "勇",   "艳",   "杰",   "娟",   "涛",   "明",   "超",   "秀兰", "霞",
                                     "平",   "刚",   "婷婷", "浩然", "子涵", "欣怡", "梓萱", "宇轩", "一诺", "思远",
                                     "雨桐", "佳怡", "俊杰", "晓峰", "文博", "嘉怡", "诗琪", "子墨", "建国", "美玲"};
static const char *const nicks[] = {"小鱼儿", "快乐的小猪", "tb",       "jojo",     "阳光宝贝", "momo",
                                    "喵星人", "lucky",      "sunny",    "安静的风", "大白",     "晴天",
                                    "kiki",   "柠檬不萌",   "蓝色海洋", "summer",   "糖糖",     "追风少年"};

typedef struct smpPlace {
    const char *province, *city, *district;
    const char *postcode;
    const char *roads[3];
    int weight;  /* among plain orders; 0 = only for scenarios */
    bool remote; /* far regions: shipping fee, some couriers cannot reach */
} smpPlace;

static const smpPlace places[] = {
    {"浙江省", "杭州市", "西湖区", "310012", {"文三路", "天目山路", "古墩路"}, 9, false},
    {"浙江省", "杭州市", "余杭区", "311121", {"文一西路", "五常大道", "良睦路"}, 6, false},
    {"浙江省", "杭州市", "淳安县", "311700", {"千岛湖镇新安大街", "千岛湖镇环湖北路", "千岛湖镇阳光路"}, 1, false},
    {"浙江省", "宁波市", "鄞州区", "315100", {"天童南路", "首南中路", "钱湖北路"}, 4, false},
    {"上海市", "上海市", "浦东新区", "200120", {"世纪大道", "张杨路", "锦绣路"}, 9, false},
    {"上海市", "上海市", "徐汇区", "200030", {"漕溪北路", "虹桥路", "天钥桥路"}, 5, false},
    {"北京市", "北京市", "朝阳区", "100020", {"建国路", "望京街", "朝阳北路"}, 8, false},
    {"北京市", "北京市", "海淀区", "100080", {"中关村大街", "学院路", "苏州街"}, 6, false},
    {"广东省", "广州市", "天河区", "510620", {"天河路", "体育西路", "黄埔大道西"}, 7, false},
    {"广东省", "深圳市", "南山区", "518052", {"科技园南路", "南海大道", "深南大道"}, 7, false},
    {"江苏省", "南京市", "鼓楼区", "210009", {"中山北路", "湖南路", "广州路"}, 5, false},
    {"江苏省", "苏州市", "姑苏区", "215000", {"人民路", "干将西路", "十全街"}, 4, false},
    {"四川省", "成都市", "武侯区", "610041", {"人民南路四段", "科华北路", "玉林西路"}, 5, false},
    {"湖北省", "武汉市", "洪山区", "430070", {"珞喻路", "雄楚大道", "光谷大道"}, 4, false},
    {"山东省", "青岛市", "市南区", "266071", {"香港中路", "闽江路", "南京路"}, 3, false},
    {"福建省", "厦门市", "思明区", "361001", {"湖滨南路", "厦禾路", "莲前西路"}, 3, false},
    {"河南省", "郑州市", "金水区", "450003", {"花园路", "农业路", "经三路"}, 3, false},
    {"陕西省", "西安市", "雁塔区", "710061", {"小寨东路", "长安南路", "科技路"}, 3, false},
    {"湖南省", "长沙市", "岳麓区", "410006", {"麓山南路", "桐梓坡路", "枫林三路"}, 3, false},
    {"重庆市", "重庆市", "渝中区", "400010", {"民族路", "中山三路", "解放西路"}, 3, false},
    {"天津市", "天津市", "南开区", "300100", {"鞍山西道", "白堤路", "长江道"}, 2, false},
    {"辽宁省", "沈阳市", "和平区", "110001", {"太原北街", "中华路", "南京南街"}, 2, false},
    {"云南省", "昆明市", "五华区", "650021", {"东风西路", "青年路", "人民中路"}, 2, false},
    {"新疆维吾尔自治区", "乌鲁木齐市", "天山区", "830000", {"解放北路", "中山路", "新华北路"}, 0, true},
    {"西藏自治区", "拉萨市", "城关区", "850000", {"北京中路", "江苏路", "林廓北路"}, 0, true},
    {"西藏自治区", "日喀则市", "桑珠孜区", "857000", {"上海中路", "珠峰路", "青岛路"}, 0, true},
};
#define PLACE_TIBET_FIRST 24 /* index of the first 西藏自治区 place */

static const char *const communities[] = {"阳光花园",     "金色家园",   "翠苑一区", "万科城市花园",
                                          "绿城桂花园",   "和平里小区", "保利天悦", "融创玖樟台",
                                          "碧桂园凤凰城", "世纪新城",   "幸福里",   "锦绣江南"};

static const char *const buyerMessages[] = {
    "请尽快发货，谢谢！",         "麻烦发顺丰，可以补运费", "送人的，请不要放价格单", "帮忙检查一下再发，上次有瑕疵",
    "双十一抢到了，能今天发吗？", "颜色要和图片一样的",     "请用纸箱包装，谢谢",     "收货时间周末，工作日家里没人"};
static const char *const memoTexts[] = {"买家来电要求改为周末送货，已备注", "买家要求开箱验货后签收",
                                        "老客户，请附送手写感谢卡", "买家要求更换为礼盒包装"};
static const char *const cancelReasons[] = {"拍错了/多拍了", "不想买了", "地址信息填写错误", "协商一致退款",
                                            "其他渠道价格更低"};
static const char *const invoiceTitles[] = {"杭州云帆网络科技有限公司", "上海启明贸易有限公司", "个人",
                                            "北京华信咨询有限公司", "深圳前海星河电子有限公司"};

/* ---- scenarios -------------------------------------------------------------- */

typedef struct smpScenario {
    const char *name;
    int per_10000; /* weight among all orders */
    int forced;    /* at least this many forced at spread positions */
} smpScenario;

static const smpScenario scenarios[CS_SAMPLE_NSCENARIOS] = {
    [CS_SAMPLE_PLAIN] = {"PLAIN", 0, 0},
    [CS_SAMPLE_OV1_QTY0] = {"OV1_QTY0", 15, 1},
    [CS_SAMPLE_OV2_OFF_BY_1] = {"OV2_OFF_BY_1", 25, 2},
    [CS_SAMPLE_OV3_NO_DISTRICT] = {"OV3_NO_DISTRICT", 20, 1},
    [CS_SAMPLE_OV3_BAD_PHONE] = {"OV3_BAD_PHONE", 20, 1},
    [CS_SAMPLE_OV4_TIBET_YTO] = {"OV4_TIBET_YTO", 30, 2},
    [CS_SAMPLE_OV4_COD_NOWHERE] = {"OV4_COD_NOWHERE", 10, 1},
    [CS_SAMPLE_OV5_BANK] = {"OV5_BANK", 40, 2},
    [CS_SAMPLE_OV5_ALIPAY] = {"OV5_ALIPAY", 60, 1},
    [CS_SAMPLE_OV5_ONLINE_BANK] = {"OV5_ONLINE_BANK", 30, 1},
    [CS_SAMPLE_OV7_MESSAGE] = {"OV7_MESSAGE", 150, 1},
    [CS_SAMPLE_OV7_SPECIAL] = {"OV7_SPECIAL", 60, 3},
    [CS_SAMPLE_OV8_LAST_UNIT] = {"OV8_LAST_UNIT", 6, 4},
    [CS_SAMPLE_OV9_DUPLICATE] = {"OV9_DUPLICATE", 20, 1},
    [CS_SAMPLE_OV10_GIFT] = {"OV10_GIFT", 300, 1},
    [CS_SAMPLE_OV10_PRESALE] = {"OV10_PRESALE", 60, 1},
    [CS_SAMPLE_OV10_PRESALE_NODATE] = {"OV10_PRESALE_NODATE", 10, 1},
    [CS_SAMPLE_OV12_ADDRESS] = {"OV12_ADDRESS", 60, 1},
    [CS_SAMPLE_OV12_STALE] = {"OV12_STALE", 15, 1},
    [CS_SAMPLE_MEMO] = {"MEMO", 40, 1},
    [CS_SAMPLE_FEE] = {"FEE", 60, 1},
    [CS_SAMPLE_CANCEL] = {"CANCEL", 120, 2},
    [CS_SAMPLE_UNPAID] = {"UNPAID", 300, 1},
    [CS_SAMPLE_SHIPPED] = {"SHIPPED", 600, 2},
    [CS_SAMPLE_COD] = {"COD", 40, 1},
    [CS_SAMPLE_OV14_INVOICE] = {"OV14_INVOICE", 80, 3},
    [CS_SAMPLE_EX3_YESTERDAY] = {"EX3_YESTERDAY", 0, 3},
    [CS_SAMPLE_NT3_REPEAT] = {"NT3_REPEAT", 0, 5},
};

const char *cs_sample_scenario_name(cs_sample_scenario sc) {
    return sc >= 0 && sc < CS_SAMPLE_NSCENARIOS ? scenarios[sc].name : "?";
}

/* After-sales history before the morning (OV-11): quality cases per SKU. */
typedef struct smpHistory {
    int shop;
    const char *sku;
    int cases;
    Cs__V1__CaseReason reason;
} smpHistory;

static const smpHistory history[] = {
    {SHOP_TB, "SKU-10007", 3, CS__V1__CASE_REASON__CASE_REASON_QUALITY}, /* delist + test */
    {SHOP_TM, "SKU-20005", 4, CS__V1__CASE_REASON__CASE_REASON_QUALITY}, /* delist + test */
    {SHOP_TB, "SKU-10011", 2, CS__V1__CASE_REASON__CASE_REASON_QUALITY}, /* test only */
    {SHOP_OWN, "SKU-30002", 1, CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {SHOP_TM, "SKU-20001", 2, CS__V1__CASE_REASON__CASE_REASON_NO_REASON_7D},
};

/* ---- the run ------------------------------------------------------------------ */

typedef struct smpStockRow {
    int shop; /* index into shops[] */
    const smpSku *sku;
    int64_t demand;    /* units ordered by committed orders of the run */
    int32_t available; /* planned level */
    int64_t restock_date_ms;
} smpStockRow;

struct cs_sample {
    char *run_id; /* owned */
    uint64_t seed;
    uint64_t base; /* mix of run id and seed: the root of every stream */
    int count;
    int64_t start_ms, spread_ms, counted_ms;
    int32_t *forced;     /* count entries: forced scenario + 1, 0 = draw by weight */
    int32_t *forced_ord; /* the ordinal of a forced entry within its scenario */
    smpStockRow *stock;  /* one per shop and SKU */
    int nstock;
    int nhistory_events;        /* after-sales cases in the preamble */
    char codes[NSHOPS][16][16]; /* SKU code per shop and catalogue entry (skuCode) */
};

#define DEFAULT_START_MS 1794326400000LL /* 2026-11-11T00:00:00+08:00 */
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

static smpRng rngFor(const cs_sample *s, uint64_t stream, uint64_t i) {
    smpRng r = {mix64(s->base ^ mix64(stream * 0x100000001b3ULL + i))};
    return r;
}

/* The SKU code of a catalogue entry in this run. Scarce SKUs (run-out and
 * last-unit items) get a code of their own per run ("SKU-17xyz": shop
 * digit, 7, three digits from the run id): the verifier re-verifies the
 * orders still waiting for a SKU whenever stock of it arrives, so with
 * shared codes a new run's stock would first go to the previous run's
 * waiting orders. Like a new limited edition each campaign. */
static const char *skuCode(const cs_sample *s, int shop, const smpSku *k) {
    return s->codes[shop][k - shops[shop].skus];
}

int cs_sample_count(const cs_sample *s) { return s->count; }
const char *cs_sample_run_id(const cs_sample *s) { return s->run_id; }

void cs_sample_order_id(const cs_sample *s, int i, char *buf, size_t len) {
    snprintf(buf, len, "%s-%06d", s->run_id, i);
}

int cs_sample_order_index(const cs_sample *s, const char *order_id) {
    size_t n = strlen(s->run_id);
    if (!order_id || strncmp(order_id, s->run_id, n) != 0 || order_id[n] != '-') return -1;
    const char *p = order_id + n + 1;
    if (!*p) return -1;
    long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000000) return -1;
        v = v * 10 + (*p - '0');
    }
    return v < s->count ? (int)v : -1;
}

cs_sample_scenario cs_sample_scenario_of(const cs_sample *s, int i) {
    if (s->forced[i]) return (cs_sample_scenario)(s->forced[i] - 1);
    smpRng r = rngFor(s, STREAM_SCENARIO, (uint64_t)i);
    uint32_t x = rngBelow(&r, 10000);
    for (int k = 1; k < CS_SAMPLE_NSCENARIOS; k++) {
        if (x < (uint32_t)scenarios[k].per_10000) {
            /* a duplicate repeats an order a tenth of the run earlier */
            if (k == CS_SAMPLE_OV9_DUPLICATE && i < s->count / 10 + 1) return CS_SAMPLE_PLAIN;
            return (cs_sample_scenario)k;
        }
        x -= (uint32_t)scenarios[k].per_10000;
    }
    return CS_SAMPLE_PLAIN;
}

/* A number that varies the scenario's flavour: the ordinal for forced
 * orders (so forced ones cover every flavour), else random. */
static uint32_t variantOf(const cs_sample *s, int i) {
    if (s->forced[i]) return (uint32_t)s->forced_ord[i];
    smpRng r = rngFor(s, STREAM_SCENARIO, (uint64_t)i + 0x80000000ULL);
    return (uint32_t)rngNext(&r);
}

/* ---- order plans -------------------------------------------------------------- */

#define PLAN_MAX_LINES 5

typedef struct smpAddr {
    const char *province, *city, *district, *postcode; /* static strings */
    char street[192];                                  /* detail line */
} smpAddr;

typedef struct smpLine {
    const smpSku *sku;
    const char *code; /* the SKU code of this run (skuCode) */
    int32_t qty;
    int64_t price_fen;
    bool gift, presale;
    int64_t presale_date_ms; /* 0 = missing */
} smpLine;

typedef struct smpPlan {
    int index;
    cs_sample_scenario scen;
    uint32_t variant;
    int shop; /* index into shops[] */
    char order_id[CS_SAMPLE_ID_LEN];
    char buyer_id[64];
    char name[32];
    char phone[24];
    smpAddr addr; /* at creation */
    const smpPlace *place;
    smpLine lines[PLAN_MAX_LINES];
    int nlines;
    const char *disc_kind[3];
    int64_t disc_fen[3];
    int ndisc;
    int64_t shipping_fen;
    int64_t item_total_fen, payable_fen;
    Cs__V1__PaymentMethod method;
    bool cod;
    bool pays; /* a PAID event follows */
    int64_t paid_fen;
    int64_t created_ms, paid_ms; /* paid_ms 0 if it never pays */
    const char *courier;
    const char *buyer_message;
    bool gift_wrap, installation;
    const char *delivery_window;
    /* FEE: the seller's price change before payment */
    int64_t fee_ms, fee_cut_fen;
} smpPlan;

static int pickWeighted(smpRng *r, const int *w, int n) {
    int total = 0;
    for (int k = 0; k < n; k++) total += w[k];
    int x = (int)rngBelow(r, (uint32_t)(total > 0 ? total : 1));
    for (int k = 0; k < n; k++) {
        if (x < w[k]) return k;
        x -= w[k];
    }
    return 0;
}

static const smpSku *skuOfRole(const smpShop *sh, smpRole role) {
    for (int k = 0; k < sh->nskus; k++)
        if (sh->skus[k].role == role) return &sh->skus[k];
    return NULL;
}

static const smpSku *pickSku(smpRng *r, const smpShop *sh) {
    int w[16];
    for (int k = 0; k < sh->nskus; k++) w[k] = sh->skus[k].weight;
    return &sh->skus[pickWeighted(r, w, sh->nskus)];
}

static const smpPlace *pickPlace(smpRng *r) {
    int w[NELEM(places)];
    for (int k = 0; k < NELEM(places); k++) w[k] = places[k].weight;
    return &places[pickWeighted(r, w, NELEM(places))];
}

static void makeStreet(smpRng *r, const smpPlace *pl, char *out, size_t len) {
    int floor = (int)rngRange(r, 1, 32);
    snprintf(out, len, "%s%d号%s%d幢%d单元%d%02d室", pl->roads[rngBelow(r, 3)], (int)rngRange(r, 1, 999),
             communities[rngBelow(r, NELEM(communities))], (int)rngRange(r, 1, 30), (int)rngRange(r, 1, 4), floor,
             (int)rngRange(r, 1, 4));
}

static void setAddr(smpAddr *a, const smpPlace *pl) {
    a->province = pl->province;
    a->city = pl->city;
    a->district = pl->district;
    a->postcode = pl->postcode;
}

/* OV-9's trap: the same address typed with full-width digits (０-９) and a
 * space, as a buyer on a phone keyboard does. */
static void fullWidthDigits(const char *in, char *out, size_t len) {
    size_t k = 0;
    for (const char *p = in; *p && k + 4 < len; p++) {
        if (*p >= '0' && *p <= '9') {
            /* U+FF10..U+FF19 = EF BC 90..99 */
            out[k++] = (char)0xEF;
            out[k++] = (char)0xBC;
            out[k++] = (char)(0x90 + (*p - '0'));
        } else {
            out[k++] = *p;
            if (*p == (char)0xB7 && k >= 3 && memcmp(out + k - 3, "号", 3) == 0 && k + 1 < len) out[k++] = ' ';
        }
    }
    out[k] = 0;
}

/* Platform times are whole seconds (a Taobao TMC time has no fraction),
 * so an order's events can be sent as the platform's own webhooks without
 * losing anything (cs-sample --gateway). */
static int64_t wholeSecond(int64_t ms) { return ms - ms % 1000; }

static int64_t createdAt(const cs_sample *s, int i, smpRng *r) {
    double u = ((double)i + rngUnit(r)) / (double)s->count;
    return wholeSecond(s->start_ms + (int64_t)((double)s->spread_ms * pow(u, 1.7)));
}

static void computeMoney(smpPlan *p, smpRng *r) {
    int64_t total = 0;
    for (int k = 0; k < p->nlines; k++) total += p->lines[k].price_fen * p->lines[k].qty;
    p->item_total_fen = total;
    p->ndisc = 0;
    const smpShop *sh = &shops[p->shop];
    int64_t disc = 0;
    if (sh->channel != CS__V1__CHANNEL__CHANNEL_OWN_SITE) {
        /* Double 11: 跨店满减 every 300 yuan minus 50, then a shop coupon */
        if (total >= 30000) {
            p->disc_kind[p->ndisc] = "跨店满减";
            p->disc_fen[p->ndisc++] = total / 30000 * 5000;
            disc += total / 30000 * 5000;
        }
        if (total >= 10000 && rngChance(r, 400)) {
            int64_t c = total >= 50000 ? 5000 : total >= 20000 ? 2000 : 1000;
            if (disc + c < total) {
                p->disc_kind[p->ndisc] = "店铺优惠券";
                p->disc_fen[p->ndisc++] = c;
                disc += c;
            }
        }
    } else if (total >= 5000 && rngChance(r, 200)) {
        p->disc_kind[p->ndisc] = "新客立减";
        p->disc_fen[p->ndisc++] = 1000;
        disc += 1000;
    }
    if (p->place->remote)
        p->shipping_fen = 2000; /* 偏远地区运费 */
    else if (p->shop == SHOP_US)
        p->shipping_fen = 3000;
    else if (p->shop == SHOP_OWN && total < 9900)
        p->shipping_fen = 1000;
    else
        p->shipping_fen = 0; /* 包邮 */
    p->payable_fen = total - disc + p->shipping_fen - p->fee_cut_fen;
}

static void planOrder(const cs_sample *s, int i, smpPlan *p);

/* OV-9: the earlier plain order of the same shop this one repeats. */
static bool duplicateBase(const cs_sample *s, int i, smpPlan *base) {
    int back = s->count / 10 > 1 ? s->count / 10 : 1;
    for (int b = i - back, tries = 0; b >= 0 && tries < 64; b--, tries++) {
        if (cs_sample_scenario_of(s, b) != CS_SAMPLE_PLAIN) continue;
        planOrder(s, b, base);
        return true;
    }
    return false;
}

static void planOrder(const cs_sample *s, int i, smpPlan *p) {
    memset(p, 0, sizeof *p);
    p->index = i;
    p->scen = cs_sample_scenario_of(s, i);
    p->variant = variantOf(s, i);
    smpRng r = rngFor(s, STREAM_ORDER, (uint64_t)i);

    if (p->scen == CS_SAMPLE_OV9_DUPLICATE) {
        smpPlan base;
        if (duplicateBase(s, i, &base)) {
            /* Same buyer, same address written differently, same SKUs and
             * quantities, placed 2 h (and a few minutes) later. */
            *p = base;
            p->index = i;
            p->scen = CS_SAMPLE_OV9_DUPLICATE;
            p->variant = variantOf(s, i);
            cs_sample_order_id(s, i, p->order_id, sizeof p->order_id);
            fullWidthDigits(base.addr.street, p->addr.street, sizeof p->addr.street);
            p->created_ms = wholeSecond(base.created_ms + 2 * HOUR_MS + rngRange(&r, 0, 10 * 60000));
            p->paid_ms = wholeSecond(p->created_ms + rngRange(&r, 5000, 120000));
            return;
        }
        p->scen = CS_SAMPLE_PLAIN;
    }

    /* shop */
    switch (p->scen) {
        case CS_SAMPLE_OV4_COD_NOWHERE: p->shop = SHOP_US; break; /* us-dst: SF without COD */
        case CS_SAMPLE_OV5_BANK:
        case CS_SAMPLE_OV5_ALIPAY:
        case CS_SAMPLE_OV5_ONLINE_BANK:
        case CS_SAMPLE_COD: p->shop = SHOP_OWN; break;
        case CS_SAMPLE_EX3_YESTERDAY:
        case CS_SAMPLE_NT3_REPEAT: p->shop = SHOP_TB; break;
        case CS_SAMPLE_OV4_TIBET_YTO:
        case CS_SAMPLE_OV8_LAST_UNIT: p->shop = p->variant % 2 ? SHOP_TM : SHOP_TB; break;
        case CS_SAMPLE_OV7_SPECIAL:
            p->shop = p->variant % 3 == 2 ? SHOP_TM : (p->variant % 3 ? SHOP_TB : SHOP_OWN);
            break;
        case CS_SAMPLE_OV14_INVOICE:
            p->shop = p->variant % 3 == 0 ? SHOP_OWN : (p->variant % 3 == 1 ? SHOP_TM : SHOP_TB);
            break;
        default: {
            int w[NSHOPS];
            for (int k = 0; k < NSHOPS; k++) w[k] = shops[k].weight;
            p->shop = pickWeighted(&r, w, NSHOPS);
            /* us-dst sells no gifts and no presale items */
            if (p->shop == SHOP_US && (p->scen == CS_SAMPLE_OV10_GIFT || p->scen == CS_SAMPLE_OV10_PRESALE ||
                                       p->scen == CS_SAMPLE_OV10_PRESALE_NODATE))
                p->shop = SHOP_TB;
        }
    }
    const smpShop *sh = &shops[p->shop];
    cs_sample_order_id(s, i, p->order_id, sizeof p->order_id);
    p->created_ms = createdAt(s, i, &r);
    /* the evening before the morning: 20:00, 20:40, 21:20 */
    if (p->scen == CS_SAMPLE_EX3_YESTERDAY)
        p->created_ms = s->start_ms - 4 * HOUR_MS + (int64_t)(p->variant % 3) * 40 * 60000;

    /* buyer: the nick carries run-specific digits, so separate runs never
     * share a buyer (OV-9 would otherwise hold a re-run's orders) */
    snprintf(p->name, sizeof p->name, "%s%s", surnames[rngBelow(&r, NELEM(surnames))],
             givens[rngBelow(&r, NELEM(givens))]);
    snprintf(p->buyer_id, sizeof p->buyer_id, "%s%06u", nicks[rngBelow(&r, NELEM(nicks))],
             (unsigned)(rngNext(&r) % 1000000));
    static const char second[] = "3456789";
    snprintf(p->phone, sizeof p->phone, "1%c%09u", second[rngBelow(&r, 7)], (unsigned)(rngNext(&r) % 1000000000));
    if (p->scen == CS_SAMPLE_OV3_BAD_PHONE) p->phone[10] = 0; /* 10 digits: OV-3 */
    if (p->scen == CS_SAMPLE_NT3_REPEAT) {                    /* one reseller: one nick, one number */
        snprintf(p->buyer_id, sizeof p->buyer_id, "代购小店%06u", (unsigned)(s->base % 1000000));
        snprintf(p->phone, sizeof p->phone, "139%08u", (unsigned)(s->base / 1000000 % 100000000));
    }

    /* address */
    p->place =
        p->scen == CS_SAMPLE_OV4_TIBET_YTO ? &places[PLACE_TIBET_FIRST + (int)(p->variant / 2 % 2)] : pickPlace(&r);
    setAddr(&p->addr, p->place);
    makeStreet(&r, p->place, p->addr.street, sizeof p->addr.street);
    if (p->scen == CS_SAMPLE_OV3_NO_DISTRICT) p->addr.district = "";

    /* lines: distinct SKUs, mostly one unit */
    bool ex3_short = p->scen == CS_SAMPLE_EX3_YESTERDAY && p->variant % 3 != 2; /* the run-out SKU */
    int want = p->scen == CS_SAMPLE_OV8_LAST_UNIT || ex3_short
                   ? 1
                   : 1 + (rngChance(&r, 300) ? 1 : 0) + (rngChance(&r, 80) ? 1 : 0);
    if (p->scen == CS_SAMPLE_OV1_QTY0 && want < 2) want = 2;
    if (p->scen == CS_SAMPLE_OV8_LAST_UNIT) {
        p->lines[p->nlines++] = (smpLine){.sku = skuOfRole(sh, SKU_LAST), .qty = 1};
    }
    if (ex3_short) p->lines[p->nlines++] = (smpLine){.sku = skuOfRole(sh, SKU_RUNOUT), .qty = 1};
    for (int tries = 0; p->nlines < want && tries < 20; tries++) {
        const smpSku *k = pickSku(&r, sh);
        /* yesterday's third order is a plain one: verified, then missed (OV-13) */
        if (p->scen == CS_SAMPLE_EX3_YESTERDAY && k->role != SKU_NORMAL) continue;
        bool dup = false;
        for (int j = 0; j < p->nlines; j++) dup = dup || p->lines[j].sku == k;
        if (dup) continue;
        int32_t q = rngChance(&r, 800) ? 1 : (rngChance(&r, 750) ? 2 : 3);
        p->lines[p->nlines++] = (smpLine){.sku = k, .qty = q};
    }
    if (p->scen == CS_SAMPLE_OV1_QTY0) p->lines[p->nlines - 1].qty = 0; /* OV-1 */
    if (p->scen == CS_SAMPLE_OV10_GIFT && skuOfRole(sh, SKU_GIFT))
        p->lines[p->nlines++] = (smpLine){.sku = skuOfRole(sh, SKU_GIFT), .qty = 1, .gift = true};
    if ((p->scen == CS_SAMPLE_OV10_PRESALE || p->scen == CS_SAMPLE_OV10_PRESALE_NODATE) && skuOfRole(sh, SKU_PRESALE)) {
        p->lines[p->nlines++] =
            (smpLine){.sku = skuOfRole(sh, SKU_PRESALE),
                      .qty = 1,
                      .presale = true,
                      .presale_date_ms = p->scen == CS_SAMPLE_OV10_PRESALE ? s->start_ms + 10 * DAY_MS : 0};
    }
    for (int k = 0; k < p->nlines; k++) {
        p->lines[k].price_fen = p->lines[k].sku->price_fen;
        p->lines[k].code = skuCode(s, p->shop, p->lines[k].sku);
    }

    /* courier chosen at checkout */
    p->courier = sh->couriers[pickWeighted(&r, sh->courier_w, 4)];
    if (p->scen == CS_SAMPLE_OV4_TIBET_YTO) p->courier = "YTO";

    /* payment */
    p->method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    p->pays = true;
    switch (p->scen) {
        case CS_SAMPLE_UNPAID: p->pays = false; break;
        case CS_SAMPLE_OV5_BANK:
            p->method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER;
            p->pays = p->variant % 2 == 1; /* half "paid, to be verified", half awaiting */
            break;
        case CS_SAMPLE_OV5_ALIPAY: p->method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY; break;
        case CS_SAMPLE_OV5_ONLINE_BANK: p->method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING; break;
        case CS_SAMPLE_COD:
        case CS_SAMPLE_OV4_COD_NOWHERE:
            p->method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
            p->cod = true;
            p->pays = false; /* the buyer pays the courier */
            break;
        case CS_SAMPLE_CANCEL: p->pays = p->variant % 2 == 1; break;
        default: break;
    }

    /* memo group */
    if (p->scen == CS_SAMPLE_OV7_MESSAGE) p->buyer_message = buyerMessages[rngBelow(&r, NELEM(buyerMessages))];
    if (p->scen == CS_SAMPLE_OV7_SPECIAL) {
        switch (p->variant % 3) {
            case 0: p->gift_wrap = true; break;
            case 1: p->delivery_window = rngChance(&r, 500) ? "工作日白天" : "周末全天"; break;
            default: p->installation = true; break;
        }
    }

    /* money; FEE: the seller cuts the price before the buyer pays */
    if (p->scen == CS_SAMPLE_FEE) {
        p->fee_ms = wholeSecond(p->created_ms + rngRange(&r, 60000, 180000));
        p->fee_cut_fen = rngRange(&r, 5, 20) * 100;
    }
    computeMoney(p, &r);
    if (p->payable_fen < 1) { /* a cut larger than the order: drop it */
        p->payable_fen += p->fee_cut_fen;
        p->fee_cut_fen = 0;
    }
    p->paid_fen = p->payable_fen;
    if (p->scen == CS_SAMPLE_OV2_OFF_BY_1) p->paid_fen += p->variant % 2 ? 1 : -1; /* OV-2 */
    int64_t pay_after =
        p->fee_ms ? p->fee_ms - p->created_ms + rngRange(&r, 30000, 300000) : rngRange(&r, 5000, 300000);
    p->paid_ms = p->pays ? wholeSecond(p->created_ms + pay_after) : 0;
}

/* ---- building protobuf messages from a plan --------------------------------- */

static Cs__V1__Envelope *envNew(const cs_sample *s, cs_sample_arena *a, const char *tag, int index, const char *shop,
                                int64_t event_ms) {
    Cs__V1__Envelope *e = aAlloc(a, sizeof *e);
    cs__v1__envelope__init(e);
    /* deterministic from (run id, seed, index): a re-run re-sends the same ids */
    e->event_id = index >= 0 ? aPrintf(a, "smp-%s-%llu-%06d-%s", s->run_id, (unsigned long long)s->seed, index, tag)
                             : aPrintf(a, "smp-%s-%llu-%s", s->run_id, (unsigned long long)s->seed, tag);
    e->shop_id = aStr(a, shop);
    e->event_ms = event_ms;
    smpRng r = rngFor(s, STREAM_INGEST, (uint64_t)(event_ms ^ (uint64_t)index * 31));
    e->ingest_ms = event_ms + rngRange(&r, 80, 1500); /* gateway took it a moment later */
    e->source = aStr(a, "sample");
    return e;
}

static Cs__V1__Receiver *receiverNew(cs_sample_arena *a, const smpPlan *p, const smpAddr *ad) {
    Cs__V1__Receiver *rc = aAlloc(a, sizeof *rc);
    cs__v1__receiver__init(rc);
    rc->name = aStr(a, p->name);
    rc->phone = aStr(a, p->phone);
    rc->address = aAlloc(a, sizeof *rc->address);
    cs__v1__address__init(rc->address);
    rc->address->province = aStr(a, ad->province);
    rc->address->city = aStr(a, ad->city);
    rc->address->district = aStr(a, ad->district);
    rc->address->street = aStr(a, ad->street);
    rc->address->postcode = aStr(a, ad->postcode);
    return rc;
}

static Cs__V1__Order *orderNew(cs_sample_arena *a, const smpPlan *p, int64_t modified_ms) {
    Cs__V1__Order *o = aAlloc(a, sizeof *o);
    cs__v1__order__init(o);
    o->order_id = aStr(a, p->order_id);
    o->modified_ms = modified_ms;
    return o;
}

static void orderFee(cs_sample_arena *a, const smpPlan *p, Cs__V1__Order *o, bool with_cut) {
    int n = p->ndisc + (with_cut && p->fee_cut_fen ? 1 : 0);
    o->n_discounts = (size_t)n;
    o->discounts = n ? aAlloc(a, sizeof *o->discounts * (size_t)n) : NULL;
    for (int k = 0; k < p->ndisc; k++) {
        Cs__V1__Discount *d = aAlloc(a, sizeof *d);
        cs__v1__discount__init(d);
        d->kind = aStr(a, p->disc_kind[k]);
        d->amount_fen = p->disc_fen[k];
        o->discounts[k] = d;
    }
    if (with_cut && p->fee_cut_fen) {
        Cs__V1__Discount *d = aAlloc(a, sizeof *d);
        cs__v1__discount__init(d);
        d->kind = aStr(a, "卖家改价");
        d->amount_fen = p->fee_cut_fen;
        o->discounts[p->ndisc] = d;
    }
    o->shipping_fee_fen = p->shipping_fen;
}

static void orderMemo(cs_sample_arena *a, const smpPlan *p, Cs__V1__Order *o) {
    o->buyer_message = aStr(a, p->buyer_message);
    o->seller_memo = aStr(a, "");
    o->gift_wrap = p->gift_wrap;
    o->delivery_window = aStr(a, p->delivery_window);
    o->installation = p->installation;
}

/* The whole order as created (with_payment: already paid, for the
 * benchmark's one-event orders). */
static Cs__V1__Order *orderFull(cs_sample_arena *a, const smpPlan *p, const smpAddr *ad, bool with_payment) {
    Cs__V1__Order *o = orderNew(a, p, p->created_ms);
    o->buyer_id = aStr(a, p->buyer_id);
    o->channel = shops[p->shop].channel;
    o->n_lines = (size_t)p->nlines;
    o->lines = aAlloc(a, sizeof *o->lines * (size_t)p->nlines);
    for (int k = 0; k < p->nlines; k++) {
        Cs__V1__OrderLine *l = aAlloc(a, sizeof *l);
        cs__v1__order_line__init(l);
        l->line_id = aPrintf(a, "%s-%d", p->order_id, k + 1);
        l->sku = aStr(a, p->lines[k].code);
        l->title = aStr(a, p->lines[k].sku->title);
        l->quantity = p->lines[k].qty;
        l->unit_price_fen = p->lines[k].price_fen;
        l->gift = p->lines[k].gift;
        l->presale = p->lines[k].presale;
        l->presale_ship_date_ms = p->lines[k].presale_date_ms;
        o->lines[k] = l;
    }
    orderFee(a, p, o, with_payment);
    o->payment_method = p->method;
    o->cod = p->cod;
    o->created_ms = p->created_ms;
    if (with_payment && p->pays) {
        o->paid_amount_fen = p->paid_fen;
        o->paid_ms = p->paid_ms;
    }
    orderMemo(a, p, o);
    o->receiver = receiverNew(a, p, ad);
    o->courier = aStr(a, p->courier);
    return o;
}

static Cs__V1__OrderEvent *orderEvent(cs_sample_arena *a, Cs__V1__OrderEventKind kind, Cs__V1__Order *o) {
    Cs__V1__OrderEvent *ev = aAlloc(a, sizeof *ev);
    cs__v1__order_event__init(ev);
    ev->kind = kind;
    ev->order = o;
    return ev;
}

static void setOrderOut(const smpPlan *p, cs_sample_event *out, Cs__V1__Envelope *e, Cs__V1__OrderEvent *ev,
                        int64_t at_ms, const char *what) {
    e->body_case = CS__V1__ENVELOPE__BODY_ORDER;
    e->order = ev;
    out->topic = CS_TOPIC_ORDERS;
    snprintf(out->key, sizeof out->key, "%.40s:%.111s", shops[p->shop].id, p->order_id);
    out->env = e;
    out->at_ms = at_ms;
    out->late = false;
    out->what = what;
}

/* An address change: the same place, a new street line (the buyer moved
 * the parcel to the office, say). */
static void changedAddr(const cs_sample *s, const smpPlan *p, int which, smpAddr *ad) {
    smpRng r = rngFor(s, STREAM_ORDER, (uint64_t)p->index + 0x100000000ULL * (uint64_t)(which + 1));
    *ad = p->addr;
    makeStreet(&r, p->place, ad->street, sizeof ad->street);
}

static int orderEvents(const cs_sample *s, int i, cs_sample_arena *a, cs_sample_event *out);

/* A shipped order's delay from payment to shipment (2-7 h). orderEvents
 * makes this its first draw of the order's event stream, so shippedAt()
 * knows the shipment time without building the events. */
static int64_t shipDelayMs(smpRng *r) { return rngRange(r, 120, 420) * 60000; }

static smpRng eventStream(const cs_sample *s, int i) { return rngFor(s, STREAM_ORDER, (uint64_t)i + 0x700000000ULL); }

/* When a SHIPPED (or NT3_REPEAT) order ships: the day's reviews and
 * after-sales cases are of orders shipped before them. */
static int64_t shippedAt(const cs_sample *s, const smpPlan *p) {
    smpRng r = eventStream(s, p->index);
    return (p->pays ? p->paid_ms : p->created_ms) + shipDelayMs(&r);
}

/* Yesterday's late orders are not part of the morning's feed: the platform
 * delivers them in the afternoon (cs_sample_day_events), when the morning's
 * stock is gone. */
int cs_sample_order_events(const cs_sample *s, int i, cs_sample_arena *a, cs_sample_event *out) {
    if (cs_sample_scenario_of(s, i) == CS_SAMPLE_EX3_YESTERDAY) return 0;
    return orderEvents(s, i, a, out);
}

static int orderEvents(const cs_sample *s, int i, cs_sample_arena *a, cs_sample_event *out) {
    smpPlan p;
    planOrder(s, i, &p);
    smpRng r = eventStream(s, i);
    const char *shop = shops[p.shop].id;
    int n = 0;
    Cs__V1__Envelope *e;
    Cs__V1__Order *o;

    /* CREATED: the whole order, unpaid */
    e = envNew(s, a, "created", i, shop, p.created_ms);
    setOrderOut(&p, &out[n++], e,
                orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, orderFull(a, &p, &p.addr, false)),
                p.created_ms, "CREATED");

    /* FEE_CHANGED before payment: discounts and shipping restated (TradeModifyFee) */
    if (p.fee_ms) {
        o = orderNew(a, &p, p.fee_ms);
        orderFee(a, &p, o, true);
        e = envNew(s, a, "fee", i, shop, p.fee_ms);
        setOrderOut(&p, &out[n++], e, orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED, o),
                    p.fee_ms, "FEE_CHANGED");
    }

    /* PAID */
    if (p.pays) {
        o = orderNew(a, &p, p.paid_ms);
        o->payment_method = p.method;
        o->paid_amount_fen = p.paid_fen;
        o->paid_ms = p.paid_ms;
        e = envNew(s, a, "paid", i, shop, p.paid_ms);
        setOrderOut(&p, &out[n++], e, orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, o), p.paid_ms,
                    "PAID");
    }
    int64_t base_ms = p.pays ? p.paid_ms : p.created_ms;

    switch (p.scen) {
        case CS_SAMPLE_OV12_ADDRESS: { /* OV-12: a change re-runs verification */
            smpAddr ad;
            changedAddr(s, &p, 0, &ad);
            int64_t t = base_ms + rngRange(&r, 10, 40) * 60000;
            o = orderNew(a, &p, t);
            o->receiver = receiverNew(a, &p, &ad);
            e = envNew(s, a, "addr1", i, shop, t);
            setOrderOut(&p, &out[n++], e, orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, o),
                        t, "ADDRESS_CHANGED");
            break;
        }
        case CS_SAMPLE_OV12_STALE: {
            /* OV-12: the newer change (complete address) is delivered first; the
         * older one (no district) arrives a minute later and must lose. Had it
         * been applied, the order would fall into ADDRESS_INCOMPLETE. */
            smpAddr newer, older;
            changedAddr(s, &p, 1, &newer);
            changedAddr(s, &p, 2, &older);
            older.district = "";
            int64_t t_old = base_ms + 20 * 60000, t_new = base_ms + 30 * 60000;
            o = orderNew(a, &p, t_new);
            o->receiver = receiverNew(a, &p, &newer);
            e = envNew(s, a, "addr2", i, shop, t_new);
            setOrderOut(&p, &out[n++], e, orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, o),
                        t_new + 5000, "ADDRESS_CHANGED");
            o = orderNew(a, &p, t_old);
            o->receiver = receiverNew(a, &p, &older);
            e = envNew(s, a, "addr1", i, shop, t_old);
            setOrderOut(&p, &out[n++], e, orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, o),
                        t_new + 60000, "ADDRESS_CHANGED_STALE");
            break;
        }
        case CS_SAMPLE_MEMO: { /* OV-7: a remark puts the order under review */
            int64_t t = base_ms + rngRange(&r, 5, 30) * 60000;
            o = orderNew(a, &p, t);
            orderMemo(a, &p, o);
            o->seller_memo = aStr(a, memoTexts[rngBelow(&r, NELEM(memoTexts))]);
            e = envNew(s, a, "memo", i, shop, t);
            setOrderOut(&p, &out[n++], e, orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED, o), t,
                        "MEMO_CHANGED");
            break;
        }
        case CS_SAMPLE_NT3_REPEAT: /* shipped too: one more message to the reseller's number */
        case CS_SAMPLE_SHIPPED: {  /* NT-6: one logistics message with the tracking number */
            /* the stream's first draw, as shippedAt() makes it */
            int64_t t = base_ms + shipDelayMs(&r);
            o = orderNew(a, &p, t);
            Cs__V1__OrderEvent *ev = orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED, o);
            ev->shipment = aAlloc(a, sizeof *ev->shipment);
            cs__v1__shipment__init(ev->shipment);
            ev->shipment->courier = aStr(a, p.courier);
            uint64_t num = rngNext(&r);
            if (strcmp(p.courier, "YTO") == 0)
                ev->shipment->tracking_no = aPrintf(a, "YT%013llu", (unsigned long long)(num % 10000000000000ULL));
            else if (strcmp(p.courier, "SF") == 0)
                ev->shipment->tracking_no = aPrintf(a, "SF%013llu", (unsigned long long)(num % 10000000000000ULL));
            else if (strcmp(p.courier, "ZTO") == 0)
                ev->shipment->tracking_no = aPrintf(a, "7%011llu", (unsigned long long)(num % 100000000000ULL));
            else
                ev->shipment->tracking_no = aPrintf(a, "11%011llu", (unsigned long long)(num % 100000000000ULL));
            ev->shipment->shipped_ms = t;
            e = envNew(s, a, "shipped", i, shop, t);
            setOrderOut(&p, &out[n++], e, ev, t, "SHIPPED");
            break;
        }
        case CS_SAMPLE_CANCEL: {
            int64_t t = base_ms + rngRange(&r, 20, 90) * 60000;
            o = orderNew(a, &p, t);
            Cs__V1__OrderEvent *ev = orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED, o);
            ev->cancellation = aAlloc(a, sizeof *ev->cancellation);
            cs__v1__cancellation__init(ev->cancellation);
            ev->cancellation->reason = aStr(a, cancelReasons[rngBelow(&r, NELEM(cancelReasons))]);
            ev->cancellation->refund_fen = p.pays ? p.paid_fen : 0;
            e = envNew(s, a, "cancelled", i, shop, t);
            setOrderOut(&p, &out[n++], e, ev, t, "CANCELLED");
            break;
        }
        case CS_SAMPLE_OV14_INVOICE: { /* OV-14: a late event on shop.contacts.v1 */
            if (!p.pays) break;
            int64_t t = base_ms + rngRange(&r, 60, 180) * 60000;
            e = envNew(s, a, "invoice", i, shop, t);
            Cs__V1__ContactEvent *c = aAlloc(a, sizeof *c);
            cs__v1__contact_event__init(c);
            c->body_case = CS__V1__CONTACT_EVENT__BODY_INVOICE;
            c->invoice = aAlloc(a, sizeof *c->invoice);
            cs__v1__invoice_request__init(c->invoice);
            c->invoice->order_id = aStr(a, p.order_id);
            c->invoice->buyer_id = aStr(a, p.buyer_id);
            const char *title = invoiceTitles[rngBelow(&r, NELEM(invoiceTitles))];
            c->invoice->title = aStr(a, title);
            c->invoice->tax_id =
                strcmp(title, "个人") == 0
                    ? aStr(a, "")
                    : aPrintf(a, "91330106MA%08llX", (unsigned long long)(rngNext(&r) & 0xFFFFFFFFULL));
            e->body_case = CS__V1__ENVELOPE__BODY_CONTACT;
            e->contact = c;
            cs_sample_event *ev = &out[n++];
            ev->topic = CS_TOPIC_CONTACTS;
            snprintf(ev->key, sizeof ev->key, "%.40s:%.111s", shop, p.order_id);
            ev->env = e;
            ev->at_ms = t;
            ev->late = true;
            ev->what = "INVOICE_REQUEST";
            break;
        }
        default: break;
    }
    return n;
}

void cs_sample_order_single(const cs_sample *s, int i, cs_sample_arena *a, cs_sample_event *out) {
    smpPlan p;
    planOrder(s, i, &p);
    smpAddr ad = p.addr;
    if (p.scen == CS_SAMPLE_OV12_STALE)
        changedAddr(s, &p, 1, &ad); /* the address that wins */
    else if (p.scen == CS_SAMPLE_OV12_ADDRESS)
        changedAddr(s, &p, 0, &ad);
    Cs__V1__Envelope *e = envNew(s, a, "order", i, shops[p.shop].id, p.created_ms);
    Cs__V1__Order *o = orderFull(a, &p, &ad, true);
    if (p.scen == CS_SAMPLE_MEMO) o->seller_memo = aStr(a, memoTexts[p.variant % NELEM(memoTexts)]);
    setOrderOut(&p, out, e, orderEvent(a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, o),
                p.pays ? p.paid_ms : p.created_ms, "CREATED");
}

/* ---- preamble, epilogue, stock ---------------------------------------------- */

static bool isRunout(const smpStockRow *row) { return row->sku->role == SKU_RUNOUT; }

int cs_sample_stock_count(const cs_sample *s) { return s->nstock; }

void cs_sample_stock_at(const cs_sample *s, int k, cs_sample_stock *out) {
    const smpStockRow *row = &s->stock[k];
    out->shop_id = shops[row->shop].id;
    out->sku = skuCode(s, row->shop, row->sku);
    out->available = row->available;
    out->restock_date_ms = row->restock_date_ms;
}

int cs_sample_preamble_count(const cs_sample *s) { return s->nstock + s->nhistory_events; }

void cs_sample_preamble_event(const cs_sample *s, int k, cs_sample_arena *a, cs_sample_event *out) {
    memset(out, 0, sizeof *out);
    if (k < s->nstock) { /* stock level of one SKU in one shop */
        const smpStockRow *row = &s->stock[k];
        const char *shop = shops[row->shop].id;
        const char *code = skuCode(s, row->shop, row->sku);
        Cs__V1__Envelope *e = envNew(s, a, aPrintf(a, "inv-%s-%s", shop, code), -1, shop, s->counted_ms);
        Cs__V1__InventoryLevel *l = aAlloc(a, sizeof *l);
        cs__v1__inventory_level__init(l);
        l->sku = aStr(a, code);
        l->available = row->available;
        l->restock_date_ms = row->restock_date_ms;
        l->counted_ms = s->counted_ms;
        e->body_case = CS__V1__ENVELOPE__BODY_INVENTORY;
        e->inventory = l;
        out->topic = CS_TOPIC_INVENTORY;
        snprintf(out->key, sizeof out->key, "%s", code);
        out->env = e;
        out->at_ms = s->counted_ms;
        out->what = "INVENTORY";
        return;
    }
    /* after-sales case number h of the history (OV-11) */
    int h = k - s->nstock, which = 0;
    while (which < NELEM(history) && h >= history[which].cases) h -= history[which++].cases;
    const smpHistory *hi = &history[which];
    const smpSku *sku = NULL;
    for (int j = 0; j < shops[hi->shop].nskus; j++)
        if (strcmp(shops[hi->shop].skus[j].sku, hi->sku) == 0) sku = &shops[hi->shop].skus[j];
    smpRng r = rngFor(s, STREAM_HISTORY, (uint64_t)k);
    /* The verifier counts OV-11 cases in the 30 days before ITS now (the
     * system clock by default), so the history is dated 2..12 days before
     * the earlier of the morning and the stock count (cs-sample: the wall
     * clock): inside that window whenever the demo runs. */
    int64_t anchor = s->counted_ms < s->start_ms ? s->counted_ms : s->start_ms;
    int64_t requested = anchor - rngRange(&r, 2, 11) * DAY_MS - rngRange(&r, 0, DAY_MS - 1);
    const char *shop = shops[hi->shop].id;
    char order_id[CS_SAMPLE_ID_LEN];
    snprintf(order_id, sizeof order_id, "%s-H%03d", s->run_id, k - s->nstock + 1);
    Cs__V1__Envelope *e = envNew(s, a, aPrintf(a, "case-%03d", k - s->nstock + 1), -1, shop, requested);
    Cs__V1__AfterSalesEvent *ase = aAlloc(a, sizeof *ase);
    cs__v1__after_sales_event__init(ase);
    Cs__V1__AfterSalesCase *c = aAlloc(a, sizeof *c);
    cs__v1__after_sales_case__init(c);
    c->case_id = aPrintf(a, "%s-AS%03d", s->run_id, k - s->nstock + 1);
    c->order_id = aStr(a, order_id);
    c->sku = aStr(a, hi->sku);
    c->type = CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND;
    c->reason = hi->reason;
    c->stage = CS__V1__CASE_STAGE__CASE_STAGE_REQUESTED;
    c->amount_fen = sku ? sku->price_fen : 0;
    c->agent = aStr(a, "");
    c->has_photo = hi->reason == CS__V1__CASE_REASON__CASE_REASON_QUALITY;
    c->goods_unused = hi->reason != CS__V1__CASE_REASON__CASE_REASON_QUALITY;
    c->packaging_complete = c->goods_unused;
    c->refund_account = aStr(a, "");
    c->logistics = CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_SIGNED;
    c->requested_ms = requested;
    c->buyer_id = aPrintf(a, "%s%06u", nicks[rngBelow(&r, NELEM(nicks))], (unsigned)(rngNext(&r) % 1000000));
    ase->body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    ase->case_ = c;
    e->body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    e->aftersales = ase;
    out->topic = CS_TOPIC_AFTERSALES;
    snprintf(out->key, sizeof out->key, "%.40s:%.111s", shop, order_id);
    out->env = e;
    out->at_ms = requested;
    out->what = "AFTERSALES_CASE";
}

/* The epilogue restocks the own-site run-out SKU with half of what it
 * lacked, late in the morning. */
static const smpStockRow *restockRow(const cs_sample *s) {
    for (int k = 0; k < s->nstock; k++)
        if (isRunout(&s->stock[k]) && s->stock[k].shop == SHOP_OWN && s->stock[k].demand > s->stock[k].available)
            return &s->stock[k];
    return NULL;
}

int cs_sample_epilogue_count(const cs_sample *s) { return restockRow(s) ? 1 : 0; }

void cs_sample_epilogue_event(const cs_sample *s, int k, cs_sample_arena *a, cs_sample_event *out) {
    (void)k;
    memset(out, 0, sizeof *out);
    const smpStockRow *row = restockRow(s);
    if (!row) return;
    const char *shop = shops[row->shop].id;
    int64_t t = s->start_ms + s->spread_ms;
    const char *code = skuCode(s, row->shop, row->sku);
    Cs__V1__Envelope *e = envNew(s, a, aPrintf(a, "restock-%s-%s", shop, code), -1, shop, t);
    Cs__V1__InventoryLevel *l = aAlloc(a, sizeof *l);
    cs__v1__inventory_level__init(l);
    l->sku = aStr(a, code);
    l->restock_quantity = (int32_t)((row->demand - row->available + 1) / 2);
    e->body_case = CS__V1__ENVELOPE__BODY_INVENTORY;
    e->inventory = l;
    out->topic = CS_TOPIC_INVENTORY;
    snprintf(out->key, sizeof out->key, "%s", code);
    out->env = e;
    out->at_ms = t;
    out->late = true;
    out->what = "RESTOCK";
}

/* ---- poison ------------------------------------------------------------------- */

void cs_sample_poison(const cs_sample *s, int k, uint8_t **value, size_t *len, char key[CS_SAMPLE_KEY_LEN],
                      const char **what) {
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    if (k % 3 == 0) {
        /* Not a protobuf at all: a varint longer than 10 bytes cannot parse. */
        static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, '{', '"',
                                       'n',  'o',  't',  '"',  ':',  '"',  'p',  'r',  'o',  't',  'o',  '"',  '}'};
        *value = cs_xmalloc(sizeof junk);
        memcpy(*value, junk, sizeof junk);
        *len = sizeof junk;
        snprintf(key, CS_SAMPLE_KEY_LEN, "tb-demo:%s-poison-%d", s->run_id, k);
        *what = "POISON_GARBAGE";
    } else {
        smpPlan p;
        planOrder(s, k % s->count, &p);
        snprintf(p.order_id, sizeof p.order_id, "%s-poison-%d", s->run_id, k);
        Cs__V1__Envelope *e = envNew(s, &a, aPrintf(&a, "poison-%d", k), -1,
                                     k % 3 == 1 ? "no-such-shop" : shops[p.shop].id, p.created_ms);
        Cs__V1__Order *o = orderFull(&a, &p, &p.addr, false);
        if (k % 3 == 2) o->lines[0]->unit_price_fen = -o->lines[0]->unit_price_fen - 100; /* negative amount */
        e->body_case = CS__V1__ENVELOPE__BODY_ORDER;
        e->order = orderEvent(&a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, o);
        *value = cs_sample_pack(e, len);
        snprintf(key, CS_SAMPLE_KEY_LEN, "%.40s:%.111s", e->shop_id, p.order_id);
        *what = k % 3 == 1 ? "POISON_UNKNOWN_SHOP" : "POISON_NEGATIVE_AMOUNT";
    }
    cs_sample_arena_reset(&a);
}

uint8_t *cs_sample_pack(const Cs__V1__Envelope *env, size_t *len) {
    size_t n = cs__v1__envelope__get_packed_size(env);
    uint8_t *buf = cs_xmalloc(n ? n : 1);
    *len = cs__v1__envelope__pack(env, buf);
    return buf;
}

/* ---- planning the run -------------------------------------------------------- */

/* Spreads `forced` orders of every scenario evenly over the run, so even a
 * small run shows each rule at least once. */
static void placeForced(cs_sample *s) {
    int total = 0;
    for (int k = 1; k < CS_SAMPLE_NSCENARIOS; k++) total += scenarios[k].forced;
    if (s->count < 2) return;
    int slots = total < s->count ? total : s->count;
    int step = s->count / slots;
    int slot = 0;
    /* interleave scenarios: round r takes the r-th forced order of each */
    for (int round = 0; slot < slots; round++) {
        bool any = false;
        for (int k = 1; k < CS_SAMPLE_NSCENARIOS && slot < slots; k++) {
            if (round >= scenarios[k].forced) continue;
            any = true;
            int pos = slot * step + step / 2;
            if (pos >= s->count) pos = s->count - 1;
            /* a duplicate needs an earlier order to repeat: keep it late */
            if (k == CS_SAMPLE_OV9_DUPLICATE && pos < s->count / 2) pos = s->count - 1 - slot % (s->count / 4 + 1);
            if (s->forced[pos]) {
                slot++;
                continue;
            }
            s->forced[pos] = k + 1;
            s->forced_ord[pos] = round;
            slot++;
        }
        if (!any) break;
    }
}

static int stockIndex(const cs_sample *s, int shop, const smpSku *sku) {
    for (int k = 0; k < s->nstock; k++)
        if (s->stock[k].shop == shop && s->stock[k].sku == sku) return k;
    return -1;
}

cs_sample *cs_sample_new(const cs_sample_opts *o, char *errbuf, size_t errlen) {
    if (!o->run_id || !o->run_id[0] || strlen(o->run_id) > 64) {
        snprintf(errbuf, errlen, "run id must be 1..64 characters");
        return NULL;
    }
    for (const char *c = o->run_id; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
              *c == '_' || *c == '.')) {
            snprintf(errbuf, errlen, "run id may hold only letters, digits, '-', '_' and '.'");
            return NULL;
        }
    }
    if (o->count < 1 || o->count > 50000000) {
        snprintf(errbuf, errlen, "count must be 1..50000000");
        return NULL;
    }
    cs_sample *s = cs_xcalloc(1, sizeof *s);
    s->run_id = cs_xstrdup(o->run_id);
    s->seed = o->seed;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of the run id */
    for (const char *c = o->run_id; *c; c++) h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
    s->base = mix64(h ^ mix64(o->seed));
    s->count = o->count;
    s->start_ms = o->start_ms ? o->start_ms : DEFAULT_START_MS;
    s->spread_ms = o->spread_ms > 0 ? o->spread_ms : 12 * HOUR_MS;
    s->counted_ms = o->counted_ms ? o->counted_ms : s->start_ms - HOUR_MS;
    s->forced = cs_xcalloc((size_t)s->count, sizeof *s->forced);
    s->forced_ord = cs_xcalloc((size_t)s->count, sizeof *s->forced_ord);
    placeForced(s);
    for (int k = 0; k < NSHOPS; k++) {
        int used = -1;
        for (int j = 0; j < shops[k].nskus; j++) {
            const smpSku *sk = &shops[k].skus[j];
            if (sk->role != SKU_RUNOUT && sk->role != SKU_LAST) {
                snprintf(s->codes[k][j], sizeof s->codes[k][j], "%s", sk->sku);
                continue;
            }
            int n = (int)(mix64(s->base ^ (uint64_t)(k * 16 + j)) % 1000);
            if (n == used) n = (n + 1) % 1000;
            used = n;
            snprintf(s->codes[k][j], sizeof s->codes[k][j], "SKU-%d7%03d", k + 1, n);
        }
    }
    for (int k = 0; k < NELEM(history); k++) s->nhistory_events += history[k].cases;

    /* one stock row per shop and SKU */
    int rows = 0;
    for (int k = 0; k < NSHOPS; k++) rows += shops[k].nskus;
    s->stock = cs_xcalloc((size_t)rows, sizeof *s->stock);
    for (int k = 0; k < NSHOPS; k++)
        for (int j = 0; j < shops[k].nskus; j++)
            s->stock[s->nstock++] = (smpStockRow){.shop = k, .sku = &shops[k].skus[j]};

    /* demand of the orders that will take stock (paid or cash on delivery) */
    for (int i = 0; i < s->count; i++) {
        smpPlan p;
        planOrder(s, i, &p);
        if (!(p.pays || p.cod) || p.scen == CS_SAMPLE_CANCEL) continue;
        for (int l = 0; l < p.nlines; l++) {
            int idx = stockIndex(s, p.shop, p.lines[l].sku);
            if (idx >= 0) s->stock[idx].demand += p.lines[l].qty;
        }
    }
    for (int k = 0; k < s->nstock; k++) {
        smpStockRow *row = &s->stock[k];
        switch (row->sku->role) {
            case SKU_LAST: row->available = 1; break; /* OV-8: two orders, one unit */
            case SKU_RUNOUT:
                row->available = (int32_t)(row->demand * 90 / 100);
                row->restock_date_ms = row->sku->restock_days ? s->start_ms + row->sku->restock_days * DAY_MS : 0;
                break;
            default: row->available = (int32_t)(row->demand + row->demand / 5 + 20); break;
        }
    }
    return s;
}

void cs_sample_free(cs_sample *s) {
    if (!s) return;
    free(s->run_id);
    free(s->forced);
    free(s->forced_ord);
    free(s->stock);
    free(s);
}

/* ---- the working days after the morning ------------------------------------- */

static const char *const phaseNames[CS_SAMPLE_NPHASES] = {"afternoon", "evening", "day2", "day2pm", "day3"};

int cs_sample_phase_parse(const char *name) {
    for (int k = 0; name && k < CS_SAMPLE_NPHASES; k++)
        if (strcmp(name, phaseNames[k]) == 0) return k;
    return -1;
}

const char *cs_sample_phase_name(cs_sample_phase ph) {
    return ph >= 0 && ph < CS_SAMPLE_NPHASES ? phaseNames[ph] : "?";
}

int64_t cs_sample_phase_ms(const cs_sample *s, cs_sample_phase ph) {
    switch (ph) {
        case CS_SAMPLE_AFTERNOON: return s->start_ms + 14 * HOUR_MS;
        case CS_SAMPLE_EVENING: return s->start_ms + 21 * HOUR_MS + 30 * 60000;
        case CS_SAMPLE_DAY2: return s->start_ms + DAY_MS + 9 * HOUR_MS;
        case CS_SAMPLE_DAY2PM: return s->start_ms + DAY_MS + 14 * HOUR_MS;
        default: return s->start_ms + 2 * DAY_MS + 10 * HOUR_MS;
    }
}

/* The orders the day's contacts, reviews and cases are about, picked by
 * scenario and shop in index order (so the same run always picks the same
 * orders). */
#define PICK_MAX 16
#define PICK_TB (10 + CS_SAMPLE_PROMO_REFUNDS)
/* Reviews and cases are of orders shipped by 11:00 on day 1, before the
 * first review is posted (12:30). */
#define SHIPPED_BY_MS (11 * HOUR_MS)
typedef struct smpPicks {
    int calls[PICK_MAX], ncalls; /* exception orders (OV-3): calls */
    int tm[PICK_MAX], ntm;       /* plain Tmall orders: EX-7 cases */
    int tb[PICK_MAX], ntb;       /* plain Taobao orders: complaints (6), opt-outs (4), RF-9 refunds */
    int early[PICK_MAX], nearly; /* the first plain paid orders: chasers */
    int shipped;                 /* the first shipped order: a chaser */
    int yesterday[PICK_MAX], nyesterday;
    int tbShip[PICK_MAX], ntbShip;   /* Taobao orders shipped that morning: reviews, a refund-only case */
    int tmShip[PICK_MAX], ntmShip;   /* Tmall ones: two returns, a quality refund */
    int ownShip[PICK_MAX], nownShip; /* own-site ones: an exchange */
} smpPicks;

static void pickOrders(const cs_sample *s, smpPicks *k) {
    memset(k, 0, sizeof *k);
    k->shipped = -1;
    for (int i = 0; i < s->count; i++) {
        cs_sample_scenario sc = cs_sample_scenario_of(s, i);
        if (sc == CS_SAMPLE_EX3_YESTERDAY && k->nyesterday < PICK_MAX) {
            k->yesterday[k->nyesterday++] = i;
            continue;
        }
        if ((sc == CS_SAMPLE_OV3_NO_DISTRICT || sc == CS_SAMPLE_OV3_BAD_PHONE) && k->ncalls < PICK_MAX) {
            k->calls[k->ncalls++] = i;
            continue;
        }
        if (sc == CS_SAMPLE_SHIPPED && k->shipped < 0) {
            k->shipped = i;
            continue;
        }
        smpPlan p;
        if (sc == CS_SAMPLE_SHIPPED) {
            if (k->ntbShip > CS_SAMPLE_REVIEWS && k->ntmShip >= 3 && k->nownShip >= 1) continue;
            planOrder(s, i, &p);
            if (shippedAt(s, &p) > s->start_ms + SHIPPED_BY_MS) continue;
            if (p.shop == SHOP_TB && k->ntbShip <= CS_SAMPLE_REVIEWS)
                k->tbShip[k->ntbShip++] = i;
            else if (p.shop == SHOP_TM && k->ntmShip < 3)
                k->tmShip[k->ntmShip++] = i;
            else if (p.shop == SHOP_OWN && k->nownShip < 1)
                k->ownShip[k->nownShip++] = i;
            continue;
        }
        if (sc != CS_SAMPLE_PLAIN) continue;
        if (k->ntm >= 4 && k->ntb >= PICK_TB && k->nearly >= 4) continue;
        planOrder(s, i, &p);
        if (k->nearly < 4 && p.shop != SHOP_US)
            k->early[k->nearly++] = i;
        else if (p.shop == SHOP_TM && k->ntm < 4)
            k->tm[k->ntm++] = i;
        else if (p.shop == SHOP_TB && k->ntb < PICK_TB)
            k->tb[k->ntb++] = i;
    }
}

static Cs__V1__ContactEvent *contactNew(cs_sample_arena *a, Cs__V1__Envelope *e) {
    Cs__V1__ContactEvent *c = aAlloc(a, sizeof *c);
    cs__v1__contact_event__init(c);
    e->body_case = CS__V1__ENVELOPE__BODY_CONTACT;
    e->contact = c;
    return c;
}

static Cs__V1__AfterSalesEvent *afterSalesNew(cs_sample_arena *a, Cs__V1__Envelope *e) {
    Cs__V1__AfterSalesEvent *ase = aAlloc(a, sizeof *ase);
    cs__v1__after_sales_event__init(ase);
    e->body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    e->aftersales = ase;
    return ase;
}

static void dayOut(cs_sample_event *ev, const char *topic, const smpPlan *p, Cs__V1__Envelope *e, int64_t t,
                   const char *what) {
    memset(ev, 0, sizeof *ev);
    ev->topic = topic;
    snprintf(ev->key, sizeof ev->key, "%.40s:%.111s", shops[p->shop].id, p->order_id);
    ev->env = e;
    ev->at_ms = t;
    ev->late = true;
    ev->what = what;
}

static void callOut(const cs_sample *s, cs_sample_arena *a, const smpPlan *p, const char *tag, int64_t t,
                    Cs__V1__CallOutcome outcome, cs_sample_event *ev) {
    Cs__V1__Envelope *e = envNew(s, a, tag, p->index, shops[p->shop].id, t);
    Cs__V1__ContactEvent *c = contactNew(a, e);
    c->body_case = CS__V1__CONTACT_EVENT__BODY_CALL;
    c->call = aAlloc(a, sizeof *c->call);
    cs__v1__call_result__init(c->call);
    c->call->task_id = aStr(a, "");
    c->call->order_id = aStr(a, p->order_id);
    c->call->agent = aStr(a, p->index % 2 ? "小美" : "阿杰");
    c->call->outcome = outcome;
    c->call->note = aStr(a, outcome == CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE ? "无人接听"
                            : outcome == CS__V1__CALL_OUTCOME__CALL_OUTCOME_AGREED ? "买家同意补全地址后发货"
                                                                                   : "已联系，买家稍后回复");
    c->call->buyer_has_im = p->index % 2 == 1; /* own-site buyers: some have IM */
    dayOut(ev, CS_TOPIC_CONTACTS, p, e, t,
           outcome == CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE ? "CALL_UNREACHABLE"
           : outcome == CS__V1__CALL_OUTCOME__CALL_OUTCOME_AGREED    ? "CALL_AGREED"
                                                                     : "CALL_REACHED");
}

static void chaserOut(const cs_sample *s, cs_sample_arena *a, const smpPlan *p, const char *tag, int64_t t,
                      cs_sample_event *ev) {
    Cs__V1__Envelope *e = envNew(s, a, tag, p->index, shops[p->shop].id, t);
    Cs__V1__ContactEvent *c = contactNew(a, e);
    c->body_case = CS__V1__CONTACT_EVENT__BODY_CHASER;
    c->chaser = aAlloc(a, sizeof *c->chaser);
    cs__v1__delivery_chaser__init(c->chaser);
    c->chaser->order_id = aStr(a, p->order_id);
    c->chaser->buyer_id = aStr(a, p->buyer_id);
    c->chaser->text = aStr(a, "请问什么时候发货？双十一买的到现在还没动");
    dayOut(ev, CS_TOPIC_CONTACTS, p, e, t, "DELIVERY_CHASER");
}

static void smsOut(const cs_sample *s, cs_sample_arena *a, const smpPlan *p, const char *tag, int64_t t,
                   const char *text, const char *what, cs_sample_event *ev) {
    Cs__V1__Envelope *e = envNew(s, a, tag, p->index, shops[p->shop].id, t);
    Cs__V1__ContactEvent *c = contactNew(a, e);
    c->body_case = CS__V1__CONTACT_EVENT__BODY_SMS;
    c->sms = aAlloc(a, sizeof *c->sms);
    cs__v1__inbound_sms__init(c->sms);
    c->sms->from_phone = aStr(a, p->phone);
    c->sms->text = aStr(a, text);
    dayOut(ev, CS_TOPIC_CONTACTS, p, e, t, what);
}

/* EX-7: the buyer asks for a refund because the item is out of stock;
 * refunded = the order's paid amount. */
static void stockoutCaseOut(const cs_sample *s, cs_sample_arena *a, const smpPlan *p, int n, bool refunded, int64_t t,
                            cs_sample_event *ev) {
    Cs__V1__Envelope *e = envNew(s, a, refunded ? "oos-refunded" : "oos-requested", p->index, shops[p->shop].id, t);
    Cs__V1__AfterSalesEvent *ase = afterSalesNew(a, e);
    Cs__V1__AfterSalesCase *c = aAlloc(a, sizeof *c);
    cs__v1__after_sales_case__init(c);
    c->case_id = aPrintf(a, "%s-OOS%02d", s->run_id, n);
    c->order_id = aStr(a, p->order_id);
    c->sku = aStr(a, p->lines[0].code);
    c->type = CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY;
    c->reason = CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK;
    c->stage = refunded ? CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED : CS__V1__CASE_STAGE__CASE_STAGE_REQUESTED;
    c->amount_fen = p->paid_fen;
    c->agent = aStr(a, "");
    c->refund_account = aStr(a, "");
    c->logistics = CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_NOT_SHIPPED;
    c->requested_ms = t;
    c->buyer_id = aStr(a, p->buyer_id);
    ase->body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    ase->case_ = c;
    dayOut(ev, CS_TOPIC_AFTERSALES, p, e, t, refunded ? "STOCKOUT_REFUNDED" : "STOCKOUT_REQUESTED");
}

static const char *const complaintTexts[] = {"收到的商品有破损，要求马上处理", "客服回复太慢，体验很差",
                                             "想咨询一下发票怎么开"};

/* EX-9: complaint n about order p; met = the level's action already done
 * (L1 escalated, L2 solution offered, L3 closed). buyer overrides p's. */
static void complaintOut(const cs_sample *s, cs_sample_arena *a, const smpPlan *p, int n, int level, bool met,
                         const char *buyer, int64_t opened, int64_t t, cs_sample_event *ev) {
    Cs__V1__Envelope *e =
        envNew(s, a, aPrintf(a, "complaint%d%s", n, met ? "-met" : ""), p->index, shops[p->shop].id, t);
    Cs__V1__AfterSalesEvent *ase = afterSalesNew(a, e);
    Cs__V1__Complaint *k = aAlloc(a, sizeof *k);
    cs__v1__complaint__init(k);
    k->complaint_id = aPrintf(a, "%s-CP%02d", s->run_id, n);
    k->order_id = aStr(a, p->order_id);
    k->buyer_id = aStr(a, buyer ? buyer : p->buyer_id);
    k->level = (Cs__V1__ComplaintLevel)level;
    k->summary = aStr(a, complaintTexts[(level - 1) % 3]);
    k->opened_ms = opened;
    k->escalated = met && level == 1;
    k->solution_offered = met && level == 2;
    k->closed = met && level == 3;
    ase->body_case = CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT;
    ase->complaint = k;
    dayOut(ev, CS_TOPIC_AFTERSALES, p, e, t, met ? "COMPLAINT_MET" : "COMPLAINT");
}

/* ---- reviews (RV-1..RV-6) ---------------------------------------------------- */

typedef enum smpReviewRole {
    RV_ROLE_PLAIN,   /* never revised: day-2 SMS (and day 3 for a negative), then no answer */
    RV_ROLE_REVISED, /* revised on day 2 at 09:00, before the send time: no SMS at all */
    RV_ROLE_OPT_OUT, /* replies 退订 after the day-2 SMS: no day-3 SMS */
} smpReviewRole;

/* Review j of the afternoon, on the j-th Taobao order shipped that
 * morning. The telling ones come first, so a small run with fewer such
 * orders still shows a revision and an opt-out. */
static const struct smpReviewPlan {
    Cs__V1__ReviewRating rating;
    Cs__V1__DislikeKind dislike;
    smpReviewRole role;
    const char *text;
} reviewPlans[CS_SAMPLE_REVIEWS] = {
    {CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT, RV_ROLE_PLAIN,
     "质量太差，洗了一次就起球了"},
    {CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE, CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE, RV_ROLE_REVISED,
     "客服回复太慢，问了半天没人理"},
    {CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT, RV_ROLE_OPT_OUT,
     "和图片严重色差，失望"},
    {CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT, RV_ROLE_PLAIN,
     "一般般，尺码偏小"},
    {CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL, CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE, RV_ROLE_REVISED,
     "包装有点简陋，东西还行"},
    {CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE, CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE, RV_ROLE_PLAIN,
     "快递太慢，外箱都压坏了"},
    {CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL, CS__V1__DISLIKE_KIND__DISLIKE_KIND_UNSPECIFIED, RV_ROLE_PLAIN,
     "还可以吧"},
    {CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT, RV_ROLE_PLAIN,
     "线头很多，做工粗糙"},
};

/* Posted on day 1, 12:30 + 7 min x j: after the order shipped (by 11:00). */
static int64_t reviewPostedMs(const cs_sample *s, int j) {
    return s->start_ms + 12 * HOUR_MS + 30 * 60000 + (int64_t)j * 7 * 60000;
}

/* Review j of order p at t; revised: the buyer's revision (now positive). */
static void reviewOut(const cs_sample *s, cs_sample_arena *a, const smpPlan *p, int j, bool revised, int64_t t,
                      cs_sample_event *ev) {
    const struct smpReviewPlan *rp = &reviewPlans[j];
    Cs__V1__Envelope *e =
        envNew(s, a, aPrintf(a, "review%02d%s", j + 1, revised ? "-revised" : ""), p->index, shops[p->shop].id, t);
    Cs__V1__Review *r = aAlloc(a, sizeof *r);
    cs__v1__review__init(r);
    r->review_id = aPrintf(a, "%s-RV%02d", s->run_id, j + 1);
    r->order_id = aStr(a, p->order_id);
    r->buyer_id = aStr(a, p->buyer_id);
    r->sku = aStr(a, p->lines[0].code);
    r->rating = revised ? CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE : rp->rating;
    r->text = aStr(a, revised ? "客服很耐心，问题解决了，改个好评" : rp->text);
    r->dislike = rp->dislike;
    r->posted_ms = reviewPostedMs(s, j); /* a revision keeps its review's day 1 */
    r->item_price_fen = p->lines[0].price_fen;
    r->revision = revised;
    r->buyer_phone = aStr(a, p->phone);
    e->body_case = CS__V1__ENVELOPE__BODY_REVIEW;
    e->review = r;
    dayOut(ev, CS_TOPIC_REVIEWS, p, e, t,
           revised                                                       ? "REVIEW_REVISED"
           : rp->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE ? "REVIEW_NEGATIVE"
                                                                         : "REVIEW_NEUTRAL");
}

/* The reviews' part of a phase: posted on day 1 (delivered with the
 * afternoon), revised on day 2 before the send time, an opt-out reply on
 * day 2 after the SMS went. Appends to out[n..max); returns the new n. */
static int reviewsOfPhase(const cs_sample *s, const smpPicks *k, cs_sample_phase ph, cs_sample_arena *a,
                          cs_sample_event *out, int n, int max) {
    int64_t t = cs_sample_phase_ms(s, ph);
    smpPlan p;
    for (int j = 0; j < CS_SAMPLE_REVIEWS && j < k->ntbShip && n < max; j++) {
        smpReviewRole role = reviewPlans[j].role;
        if (ph == CS_SAMPLE_AFTERNOON) {
            planOrder(s, k->tbShip[j], &p);
            reviewOut(s, a, &p, j, false, reviewPostedMs(s, j), &out[n++]);
        } else if (ph == CS_SAMPLE_DAY2 && role == RV_ROLE_REVISED) {
            planOrder(s, k->tbShip[j], &p);
            reviewOut(s, a, &p, j, true, t + j * 60000, &out[n++]); /* 09:0x, before 10:00 */
        } else if (ph == CS_SAMPLE_DAY2PM && role == RV_ROLE_OPT_OUT) {
            planOrder(s, k->tbShip[j], &p);
            smsOut(s, a, &p, aPrintf(a, "review%02d-optout", j + 1), t + 5 * 60000, "退订", "SMS_OPT_OUT", &out[n++]);
        }
    }
    return n;
}

/* ---- after-sales cases (RF-1..RF-13) -------------------------------------------- */

#define STAGE(x) CS__V1__CASE_STAGE__CASE_STAGE_##x

/* One event of a sample case: in phase ph, at_min minutes after the
 * phase's time, the case at stage st. */
typedef struct smpCaseStep {
    cs_sample_phase ph;
    int at_min;
    Cs__V1__CaseStage st; /* UNSPECIFIED: no more steps */
} smpCaseStep;

#define CASE_STEPS 5

/* Which picked order a case is about: a list of smpPicks and its entry. */
typedef enum smpCasePick { PICK_TB_PLAIN, PICK_TB_SHIPPED, PICK_TM_SHIPPED, PICK_OWN_SHIPPED } smpCasePick;

/* The after-sales cases of the days after. The first step is the request,
 * in the afternoon; every event carries its time as requested_ms. */
static const struct smpCasePlan {
    const char *tag; /* case id "<run>-<tag>" */
    smpCasePick pick;
    int entry;
    Cs__V1__CaseType type;
    Cs__V1__CaseReason reason;
    smpCaseStep steps[CASE_STEPS];
} casePlans[] = {
    /* RF-9: refund-only requests on paid, unshipped Taobao orders, auto-agreed
     * in promotion mode; the platform applies the agreement and refunds
     * within the hour (RF-7: one finance request each) */
    {"PRM01",
     PICK_TB_PLAIN,
     10,
     CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY,
     CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND,
     {{CS_SAMPLE_AFTERNOON, 2, STAGE(REQUESTED)},
      {CS_SAMPLE_AFTERNOON, 12, STAGE(AGREED)},
      {CS_SAMPLE_AFTERNOON, 42, STAGE(REFUNDED)}}},
    {"PRM02",
     PICK_TB_PLAIN,
     11,
     CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY,
     CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND,
     {{CS_SAMPLE_AFTERNOON, 3, STAGE(REQUESTED)},
      {CS_SAMPLE_AFTERNOON, 13, STAGE(AGREED)},
      {CS_SAMPLE_AFTERNOON, 43, STAGE(REFUNDED)}}},
    {"PRM03",
     PICK_TB_PLAIN,
     12,
     CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY,
     CS__V1__CASE_REASON__CASE_REASON_OTHER,
     {{CS_SAMPLE_AFTERNOON, 4, STAGE(REQUESTED)},
      {CS_SAMPLE_AFTERNOON, 14, STAGE(AGREED)},
      {CS_SAMPLE_AFTERNOON, 44, STAGE(REFUNDED)}}},
    {"PRM04",
     PICK_TB_PLAIN,
     13,
     CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY,
     CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND,
     {{CS_SAMPLE_AFTERNOON, 5, STAGE(REQUESTED)},
      {CS_SAMPLE_AFTERNOON, 15, STAGE(AGREED)},
      {CS_SAMPLE_AFTERNOON, 45, STAGE(REFUNDED)}}},
    /* RF-9: refund-only on an order already shipped: never auto-agreed, a
     * task in the back-office queue */
    {"PRM05",
     PICK_TB_SHIPPED,
     CS_SAMPLE_REVIEWS,
     CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY,
     CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND,
     {{CS_SAMPLE_AFTERNOON, 8, STAGE(REQUESTED)}}},
    /* RF-2: a return agreed on day 2 whose buyer never ships it: escalated
     * to the supervisor 2 x 24 h after the agreement, on day 4 */
    {"RET01",
     PICK_TM_SHIPPED,
     0,
     CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND,
     CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM,
     {{CS_SAMPLE_AFTERNOON, 20, STAGE(REQUESTED)}, {CS_SAMPLE_DAY2, 20, STAGE(AGREED)}}},
    /* a quality return through every stage: RF-10, RF-3 postage, RF-6, RF-7 */
    {"RET02",
     PICK_TM_SHIPPED,
     1,
     CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND,
     CS__V1__CASE_REASON__CASE_REASON_QUALITY,
     {{CS_SAMPLE_AFTERNOON, 25, STAGE(REQUESTED)},
      {CS_SAMPLE_AFTERNOON, 120, STAGE(AGREED)},
      {CS_SAMPLE_DAY2, 30, STAGE(BUYER_SHIPPED)},
      {CS_SAMPLE_DAY3, 5, STAGE(RETURN_RECEIVED)},
      {CS_SAMPLE_DAY3, 30, STAGE(REFUNDED)}}},
    /* a quality refund without a return (RF-5: the photo of the item made
     * unusable), agreed and refunded on day 2 */
    {"QLT01",
     PICK_TM_SHIPPED,
     2,
     CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY,
     CS__V1__CASE_REASON__CASE_REASON_QUALITY,
     {{CS_SAMPLE_AFTERNOON, 30, STAGE(REQUESTED)},
      {CS_SAMPLE_DAY2PM, 10, STAGE(AGREED)},
      {CS_SAMPLE_DAY2PM, 40, STAGE(REFUNDED)}}},
    /* an exchange of a wrong item: shipped back, received, reshipped with
     * the return postage as cash in the parcel (RF-3, own-demo) */
    {"EXC01",
     PICK_OWN_SHIPPED,
     0,
     CS__V1__CASE_TYPE__CASE_TYPE_EXCHANGE,
     CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM,
     {{CS_SAMPLE_AFTERNOON, 35, STAGE(REQUESTED)},
      {CS_SAMPLE_AFTERNOON, 90, STAGE(AGREED)},
      {CS_SAMPLE_DAY2, 40, STAGE(BUYER_SHIPPED)},
      {CS_SAMPLE_DAY3, 10, STAGE(RETURN_RECEIVED)},
      {CS_SAMPLE_DAY3, 20, STAGE(RESHIPPED)}}},
};

/* The order a case plan is about, or -1 when the run has too few orders. */
static int caseOrder(const smpPicks *k, const struct smpCasePlan *cp) {
    switch (cp->pick) {
        case PICK_TB_PLAIN: return cp->entry < k->ntb ? k->tb[cp->entry] : -1;
        case PICK_TB_SHIPPED: return cp->entry < k->ntbShip ? k->tbShip[cp->entry] : -1;
        case PICK_TM_SHIPPED: return cp->entry < k->ntmShip ? k->tmShip[cp->entry] : -1;
        default: return cp->entry < k->nownShip ? k->ownShip[cp->entry] : -1;
    }
}

static const char *stageWhat(Cs__V1__CaseStage st) {
    switch (st) {
        case STAGE(REQUESTED): return "CASE_REQUESTED";
        case STAGE(AGREED): return "CASE_AGREED";
        case STAGE(BUYER_SHIPPED): return "CASE_BUYER_SHIPPED";
        case STAGE(RETURN_RECEIVED): return "CASE_RETURN_RECEIVED";
        case STAGE(REFUNDED): return "CASE_REFUNDED";
        case STAGE(RESHIPPED): return "CASE_RESHIPPED";
        default: return "CASE_OTHER";
    }
}

/* Event q of case plan cp about order p (its step's stage and time). */
static void caseOut(const cs_sample *s, cs_sample_arena *a, const smpPlan *p, const struct smpCasePlan *cp, int q,
                    cs_sample_event *ev) {
    const smpCaseStep *st = &cp->steps[q];
    int64_t t = cs_sample_phase_ms(s, st->ph) + st->at_min * 60000LL;
    const char *what = stageWhat(st->st);
    Cs__V1__Envelope *e = envNew(s, a, aPrintf(a, "%s-%d", cp->tag, q), p->index, shops[p->shop].id, t);
    Cs__V1__AfterSalesEvent *ase = afterSalesNew(a, e);
    Cs__V1__AfterSalesCase *c = aAlloc(a, sizeof *c);
    cs__v1__after_sales_case__init(c);
    c->case_id = aPrintf(a, "%s-%s", s->run_id, cp->tag);
    c->order_id = aStr(a, p->order_id);
    c->sku = aStr(a, p->lines[0].code);
    c->type = cp->type;
    c->reason = cp->reason;
    c->stage = st->st;
    /* refund only: what was paid; a return or an exchange: one unit */
    bool refund_only = cp->type == CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY;
    c->amount_fen = refund_only ? p->paid_fen : p->lines[0].price_fen;
    c->agent = aStr(a, p->index % 2 ? "小美" : "阿杰");
    bool quality = cp->reason == CS__V1__CASE_REASON__CASE_REASON_QUALITY;
    /* RF-5: the evidence the agents ask for is there, so the cases move */
    c->has_photo = quality || cp->reason == CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM;
    c->item_unusable_photo = quality && refund_only;
    c->goods_unused = !quality;
    c->packaging_complete = !quality;
    c->refund_account = aStr(a, "原路退回");
    c->logistics = p->scen == CS_SAMPLE_SHIPPED ? CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_IN_TRANSIT
                                                : CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_NOT_SHIPPED;
    c->requested_ms = cs_sample_phase_ms(s, cp->steps[0].ph) + cp->steps[0].at_min * 60000LL;
    c->buyer_id = aStr(a, p->buyer_id);
    if (st->st == STAGE(BUYER_SHIPPED)) { /* RF-3: the buyer paid the postage, sent from home */
        c->postage_paid_fen = 1200;
        c->origin_province = aStr(a, p->place->province);
    }
    if (st->st == STAGE(RETURN_RECEIVED)) { /* RF-6: a quality return comes back damaged */
        c->resellable = !quality;
        c->supplier_exchanges = true;
    }
    ase->body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    ase->case_ = c;
    dayOut(ev, CS_TOPIC_AFTERSALES, p, e, t, what);
}

/* The after-sales part of a phase: every case's events of that phase.
 * Appends to out[n..max); returns the new n. */
static int casesOfPhase(const cs_sample *s, const smpPicks *k, cs_sample_phase ph, cs_sample_arena *a,
                        cs_sample_event *out, int n, int max) {
    for (int c = 0; c < NELEM(casePlans); c++) {
        const struct smpCasePlan *cp = &casePlans[c];
        int i = caseOrder(k, cp);
        if (i < 0) continue;
        smpPlan p;
        planOrder(s, i, &p);
        for (int q = 0; q < CASE_STEPS && cp->steps[q].st != STAGE(UNSPECIFIED) && n < max; q++)
            if (cp->steps[q].ph == ph) caseOut(s, a, &p, cp, q, &out[n++]);
    }
    return n;
}
#undef STAGE

int cs_sample_day_events(const cs_sample *s, cs_sample_phase ph, cs_sample_arena *a, cs_sample_event *out, int max) {
    smpPicks k;
    pickOrders(s, &k);
    int64_t t = cs_sample_phase_ms(s, ph);
    int n = 0;
    smpPlan p;
#define ROOM (n < max)
    if (ph == CS_SAMPLE_AFTERNOON) {
        /* yesterday's late orders, as the platform delivers them now */
        for (int j = 0; j < k.nyesterday; j++) {
            cs_sample_event evs[CS_SAMPLE_MAX_EVENTS];
            int m = orderEvents(s, k.yesterday[j], a, evs);
            for (int q = 0; q < m && ROOM; q++) {
                out[n] = evs[q];
                out[n].at_ms = t + j * 1000 + q; /* delivery order: now, in their order */
                out[n++].late = true;
            }
        }
        /* the early shift's calls on exception orders: one agrees, others answer */
        for (int j = 0; j < k.ncalls && ROOM; j++) {
            if (j % 4 > 1) continue;
            planOrder(s, k.calls[j], &p);
            callOut(s, a, &p, "call1", t + 60000 * (j + 1),
                    j % 4 == 0 ? CS__V1__CALL_OUTCOME__CALL_OUTCOME_AGREED : CS__V1__CALL_OUTCOME__CALL_OUTCOME_REACHED,
                    &out[n++]);
        }
        /* EX-7: stock-out refunds on Tmall: asked for (exchange first), then refunded */
        for (int j = 0; j < k.ntm && ROOM; j++) {
            planOrder(s, k.tm[j], &p);
            stockoutCaseOut(s, a, &p, j + 1, false, t + 5 * 60000, &out[n++]);
            if (j % 2 == 0 && ROOM) stockoutCaseOut(s, a, &p, j + 1, true, t + 50 * 60000, &out[n++]);
        }
        /* EX-9: two complaints of each level; the first of each is met at once;
         * the last two are one buyer's (VIP) */
        const char *vip = NULL;
        char vipbuf[64] = "";
        for (int j = 0; j < 6 && j < k.ntb && ROOM; j++) {
            planOrder(s, k.tb[j], &p);
            int level = 1 + j / 2;
            bool met = j % 2 == 0;
            if (j == 4) {
                snprintf(vipbuf, sizeof vipbuf, "%s", p.buyer_id);
                vip = vipbuf;
            }
            int64_t opened = t + 10 * 60000 * (j + 1);
            complaintOut(s, a, &p, j + 1, level, false, j == 5 ? vip : NULL, opened, opened, &out[n++]);
            if (met && ROOM)
                complaintOut(s, a, &p, j + 1, level, true, j == 5 ? vip : NULL, opened, opened + 20 * 60000, &out[n++]);
        }
        /* EX-10: chasers on the day of payment (not urgent), one for a shipped order */
        for (int j = 0; j < 2 && j < k.nearly && ROOM; j++) {
            planOrder(s, k.early[j], &p);
            chaserOut(s, a, &p, "chaser1", t + 30 * 60000, &out[n++]);
        }
        if (k.shipped >= 0 && ROOM) {
            planOrder(s, k.shipped, &p);
            chaserOut(s, a, &p, "chaser1", t + 31 * 60000, &out[n++]);
        }
        /* NT-4: opt-out replies, spelled three ways, and a reply that is none */
        static const char *const replies[] = {"T", "TD", "退订", "好的，谢谢"};
        for (int j = 0; j < 4 && 6 + j < k.ntb && ROOM; j++) {
            planOrder(s, k.tb[6 + j], &p);
            smsOut(s, a, &p, aPrintf(a, "sms%d", j), t + 40 * 60000 + j * 1000, replies[j],
                   j < 3 ? "SMS_OPT_OUT" : "SMS_REPLY", &out[n++]);
        }
    } else if (ph == CS_SAMPLE_EVENING) {
        /* the night shift's calls: the buyer does not answer (EX-4) */
        for (int j = 0; j < k.ncalls && ROOM; j++) {
            if (j % 4 < 2) continue;
            planOrder(s, k.calls[j], &p);
            callOut(s, a, &p, "call2", t + 60000 * (j + 1), CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, &out[n++]);
        }
    } else if (ph == CS_SAMPLE_DAY3) {
        /* day 3: unanswered again (EX-4 wrote once already); chasers past the
         * promised ship date (payment + 48 h: urgent) */
        for (int j = 0; j < k.ncalls && ROOM; j++) {
            if (j % 4 != 3) continue;
            planOrder(s, k.calls[j], &p);
            callOut(s, a, &p, "call3", t + 60000 * (j + 1), CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, &out[n++]);
        }
        for (int j = 2; j < k.nearly && ROOM; j++) {
            planOrder(s, k.early[j], &p);
            chaserOut(s, a, &p, "chaser3", t + 30 * 60000, &out[n++]);
        }
    }
#undef ROOM
    n = reviewsOfPhase(s, &k, ph, a, out, n, max);
    return casesOfPhase(s, &k, ph, a, out, n, max);
}
