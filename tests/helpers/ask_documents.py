"""Long generated documents with facts planted at known lines, in English and Chinese, for the
Ask tests and the retrieval benchmark. The filler speaks of the same places and projects as the
facts, so a question's words are common and only the fact's passage holds all of them."""

from __future__ import annotations

import random
from dataclasses import dataclass

EN_PLACES = ["lighthouse", "boat shed", "greenhouse", "archive room", "bell tower", "wine cellar", "old mill",
             "school library", "chapel", "bakery", "observatory", "train depot", "fire station", "print shop",
             "stable", "orchard gate", "harbour office", "museum vault", "town hall", "pump house"]
EN_PROJECTS = ["bridge repair", "spring festival", "new website", "river survey", "choir tour", "roof garden",
               "film archive", "youth league", "book fair", "solar array", "winter market", "ferry schedule",
               "history podcast", "street mural", "tram extension", "reading club", "seed bank", "flood wall",
               "art residency", "night school"]
EN_NAMES = ["Tomas", "Ingrid", "Mara", "Jonas", "Elena", "Piet", "Sofia", "Arvid", "Lena", "Oskar", "Nadia", "Emil",
            "Greta", "Hugo", "Alma", "Felix", "Ida", "Viktor", "Rosa", "Karl"]
EN_WORDS = ("morning evening river road village market harbour window letter storm winter summer garden neighbour "
            "stairs lamp boat field wall bread rain wind paper story chapter door table kitchen friend council plan "
            "season week road hill forest bridge station visitor music crowd light shadow").split()
EN_VERBS = "walked talked wrote carried painted watched repaired opened closed remembered visited counted".split()

ZH_PLACES = ["仓库", "灯塔", "温室", "档案室", "钟楼", "酒窖", "磨坊", "图书馆", "礼拜堂", "面包房", "天文台", "车库",
             "消防站", "印刷厂", "马厩", "果园", "港务处", "博物馆", "市政厅", "水泵房"]
ZH_PROJECTS = ["修桥工程", "春季庆典", "新网站", "河道调查", "合唱巡演", "屋顶花园", "电影档案", "青年联赛", "书展",
               "太阳能板", "冬季集市", "渡轮时刻表", "历史播客", "街头壁画", "电车延长线", "读书会", "种子库", "防洪墙",
               "艺术驻留", "夜校"]
ZH_NAMES = ["老王", "李娜", "张伟", "陈静", "刘洋", "赵敏", "孙磊", "周婷", "吴刚", "郑爽", "王芳", "冯涛", "何丽",
            "许强", "高峰", "林雪", "罗杰", "宋佳", "唐亮", "韩梅"]
ZH_WORDS = ["早上", "晚上", "河边", "村子", "市场", "窗户", "信件", "风暴", "冬天", "夏天", "花园", "邻居", "楼梯",
            "灯光", "小船", "田野", "面包", "雨水", "故事", "章节", "厨房", "朋友", "委员会", "计划", "季节", "山坡",
            "森林", "车站", "游客", "音乐", "人群", "影子"]
ZH_VERBS = ["走过", "谈起", "写下", "搬走", "粉刷", "看着", "修好", "打开", "关上", "想起", "拜访", "数过"]


@dataclass(frozen=True)
class Fact:
    question: str
    line: int  # 1-based line of the fact in the document
    answer: str


def _facts_en(i: int, rng: random.Random) -> tuple[str, str, str]:
    place, project, name = EN_PLACES[i % 20], EN_PROJECTS[i % 20], EN_NAMES[(i * 7) % 20]
    kind = i % 4
    if kind == 0:
        return (f"The key to the {place} is kept by {name}, who lives by the {rng.choice(EN_WORDS)}.",
                f"Who keeps the key to the {place}?", name)
    if kind == 1:
        amount = f"{rng.randint(11, 99)},{rng.randint(100, 999)}"
        return f"The budget for the {project} is {amount} dollars, approved by the council.", \
            f"What is the budget for the {project}?", amount
    if kind == 2:
        return (f"The meeting about the {project} takes place on Thursday at {rng.randint(2, 9)} o'clock in the {place}.",
                f"When is the meeting about the {project}?", "Thursday")
    return (f"I promised {name} that the {project} would be finished by the end of {rng.choice(['May', 'June', 'July'])}.",
            f"What did I promise {name} about the {project}?", "finished")


def _filler_en(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        words = rng.sample(EN_WORDS, 5)
        thing = rng.choice(EN_PLACES + EN_PROJECTS)
        sentences.append(f"{rng.choice(EN_NAMES)} {rng.choice(EN_VERBS)} the {words[0]} near the {thing} "
                         f"while the {words[1]} and the {words[2]} {rng.choice(EN_VERBS)} past the {words[3]} "
                         f"in the {words[4]}.")
    if rng.random() < 0.1:  # a near miss: the fact's words about something else
        sentences.append(rng.choice([f"{rng.choice(EN_NAMES)} lost the key to the {rng.choice(EN_WORDS)}.",
                                     f"The budget was discussed at length in the {rng.choice(EN_PLACES)}.",
                                     f"Nobody came to the meeting about the {rng.choice(EN_WORDS)}."]))
    return " ".join(sentences)


def _facts_zh(i: int, rng: random.Random) -> tuple[str, str, str]:
    place, project, name = ZH_PLACES[i % 20], ZH_PROJECTS[i % 20], ZH_NAMES[(i * 7) % 20]
    kind = i % 4
    if kind == 0:
        return f"{place}的钥匙由{name}保管，他住在{rng.choice(ZH_WORDS)}附近。", f"{place}的钥匙由谁保管？", name
    if kind == 1:
        amount = f"{rng.randint(11, 99)}万"
        return f"{project}的预算是{amount}元，已经由委员会批准。", f"{project}的预算是多少？", amount
    if kind == 2:
        return (f"关于{project}的会议定在星期四下午{rng.randint(2, 9)}点，地点是{place}。",
                f"关于{project}的会议是什么时候？", "星期四")
    return f"我答应过{name}，{project}会在月底之前完成。", f"我答应过{name}关于{project}的什么事？", "月底"


def _filler_zh(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        words = rng.sample(ZH_WORDS, 4)
        thing = rng.choice(ZH_PLACES + ZH_PROJECTS)
        sentences.append(f"{rng.choice(ZH_NAMES)}在{thing}旁边{rng.choice(ZH_VERBS)}{words[0]}，"
                         f"{words[1]}和{words[2]}{rng.choice(ZH_VERBS)}了{words[3]}。")
    if rng.random() < 0.1:  # a near miss: the fact's words about something else
        sentences.append(rng.choice([f"{rng.choice(ZH_NAMES)}把{rng.choice(ZH_WORDS)}的钥匙弄丢了。",
                                     f"大家在{rng.choice(ZH_PLACES)}讨论了很久预算的事。",
                                     f"关于{rng.choice(ZH_WORDS)}的会议没有人来。"]))
    return "".join(sentences)


def document(language: str, size: int, facts: int = 20, seed: int = 7) -> tuple[str, list[Fact]]:
    """About `size` words (English) or characters (Chinese), with `facts` facts spread evenly."""
    rng = random.Random(seed)
    filler, fact = (_filler_en, _facts_en) if language == "en" else (_filler_zh, _facts_zh)
    measure = (lambda t: len(t.split())) if language == "en" else len
    paragraphs, total = [], 0
    while total < size:
        paragraphs.append(filler(rng))
        total += measure(paragraphs[-1])
    paragraphs.insert(0, "# Notes" if language == "en" else "# 笔记")
    planted = []
    step = max(1, len(paragraphs) // (facts + 1))
    for i in range(facts):
        at = (i + 1) * step
        sentence, question, answer = fact(i, rng)
        paragraphs[at] = paragraphs[at] + "\n" + sentence
        planted.append((at, question, answer))
    text = "\n\n".join(paragraphs)
    lines = {}
    line = 1
    for index, paragraph in enumerate(paragraphs):
        lines[index] = line + paragraph.count("\n")  # the fact is the paragraph's last line
        line += paragraph.count("\n") + 2
    return text, [Fact(q, lines[at], a) for at, q, a in planted]

# A short document the Ask tests share.
ENGLISH = """# The lighthouse

Mara keeps the lighthouse on the northern cape. She climbs the stairs every evening at six.

## Chapter 3

I promised the publisher that the manuscript would be finished by the first of March.
The deadline cannot move again.

The harbour master, Tomas, keeps the key to the boat shed.
It expires at the end of the season, when the locks are changed.

Winter storms close the road for weeks; supplies come by boat."""
