"""A seeded adversarial corpus for the guard: secrets written the ways that got past it before.

``generate(seed)`` crosses checksum-valid BIP39 phrases from all twelve word lists the
``mnemonic`` package ships (12/15/18/21/24 words) and private keys in many formats with
every obfuscation class in ``CLASSES``, embedded in ordinary help-desk sentences in
zh/en/es/ru/fr. Each ``AttackCase`` records where every piece of the secret sits (message
index, start, end), so a test can tell whether the guard found it, covered it and left
nothing of it behind. ``negatives(seed)`` gives texts that must come through untouched
(transaction hashes, addresses, order numbers, numbered steps, the filler itself).

Everything comes from ``random.Random`` seeded with strings (stable across runs and
``PYTHONHASHSEED``); nothing reads the clock, the network or the dev messages.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mnemonic import Mnemonic

from tests.secret_samples import b58encode

WORDLISTS = (
    "english", "chinese_simplified", "chinese_traditional", "spanish", "french", "italian",
    "portuguese", "czech", "japanese", "korean", "russian", "turkish",
)
HAN_LISTS = ("chinese_simplified", "chinese_traditional")
LATIN_LISTS = ("english", "spanish", "french", "italian", "portuguese", "czech", "turkish")
CASED_LISTS = (*LATIN_LISTS, "russian")
LANGS = ("zh", "en", "es", "ru", "fr")
LENGTHS = (12, 15, 18, 21, 24)
_LENGTH_CHOICES = (12, 12, 12, 15, 18, 21, 24, 24)

CLASSES = ("plain", "html", "labels", "partial", "conversation", "lines", "spacing", "invisible", "lookalike",
           "camelcase", "chinese", "long", "keys")
DEFAULT_COUNTS = {
    "plain": 900, "html": 900, "labels": 900, "partial": 900, "conversation": 800, "lines": 650,
    "spacing": 800, "invisible": 900, "lookalike": 800, "camelcase": 700, "chinese": 700, "long": 20,
    "keys": 1200,
}
HUGE_CASES = 5
"""Cases of the ``long`` class over 100,000 characters (slow to scan: a handful)."""
HUGE_CHARS = 100_000
LONG_CHARS = 30_000

NEGATIVE_CLASSES = ("txid", "tx_0x", "explorer_link", "address", "order_number", "steps", "filler")

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
XPRV_VERSIONS = {"xprv": "0488ade4", "tprv": "04358394", "ltpv": "019d9cfe"}

LAT_TO_CYR = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
CYR_TO_LAT = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "к": "k"}
HEX_LOOKALIKES = {"a": "а", "e": "е", "c": "с"}

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
INVISIBLE_FAMILIES: dict[str, tuple[str, ...]] = {
    "math": ("\u2061", "\u2062", "\u2063", "\u2064"),
    "selectors": ("\ufe0f", "\u180b"),
    "hangul": ("\u3164", "\u115f", "\u1160", "\uffa0"),
    "tags": tuple(chr(c) for c in range(0xE0020, 0xE0080)),
    "zero_width": ZERO_WIDTH,
}
INVISIBLE_FAMILIES["mixed"] = tuple(ch for family in list(INVISIBLE_FAMILIES.values()) for ch in family)
NOT_LISTED_HAN = "龘龖齉靐爩齾麤鱻灥厵"
"""Han characters in neither Chinese list: a mistyped word of a Chinese phrase."""


@dataclass(frozen=True)
class AttackCase:
    """One secret written to get past the guard, and where each of its pieces is."""

    id: str
    cls: str
    kind: str
    """``recovery_phrase`` or ``private_key``."""
    messages: tuple[str, ...]
    pieces: tuple[tuple[int, int, int], ...]
    """(message index, start, end) of every piece: each phrase word as written, or each part of a key."""
    words: tuple[str, ...]
    """The clean words, one per piece, for a phrase; ``(key,)`` for a key."""
    mode: str
    """``text`` (one message), ``conversation`` (scanned together) or ``lines`` (streamed)."""
    wordlist: str = ""
    """The BIP39 list of a phrase ("" for a key)."""
    variant: str = ""
    """How, within the class, the secret was written (for failure reports)."""


# --- filler ---------------------------------------------------------------------------------------

FILLER: dict[str, tuple[str, ...]] = {
    "en": (
        "Hi, I need help with my wallet.", "My wallet is empty now and I don't know why.",
        "I updated the app yesterday and everything disappeared.", "Please check what happened, I am really worried.",
        "Can you tell me where my tokens went?", "I can't log in after changing my phone.",
        "The balance shows zero but I had funds there last week.", "Is this a bug in the new version?",
        "Someone told me to contact support here.", "Thanks in advance for your help.",
        "I reinstalled the app and now I see a different address.", "Please reply as soon as possible.",
        "I have been waiting for two days already.", "My friend said you can restore it for me.",
        "The app keeps crashing when I open the wallet page.", "I don't understand what went wrong.",
        "Could you look into this today?", "Sorry for my English.", "I tried everything in the FAQ.",
        "Hello support team.", "Best regards, Daniel.", "This is very urgent for me.",
        "I wrote it down on paper when I created the wallet.", "Is my money still safe?",
        "Let me know if you need anything else.", "It worked fine until this morning.",
        "The screen just says network error.", "I am using the Android version.",
        "Please don't close my ticket.", "I hope you can fix it quickly.",
    ),
    "es": (
        "Hola, necesito ayuda con mi billetera.", "Mi billetera está vacía ahora.", "Ayúdenme por favor.",
        "Actualicé la aplicación y desapareció todo.", "No sé qué pasó con mis fondos.",
        "¿Pueden revisar mi cuenta?", "Cambié de teléfono y no puedo entrar.", "El saldo aparece en cero.",
        "Llevo dos días esperando respuesta.", "Gracias de antemano.", "Es muy urgente para mí.",
        "Un amigo me dijo que ustedes pueden recuperarla.", "La aplicación se cierra sola.",
        "No entiendo qué salió mal.", "Perdón por las molestias.",
        "Lo anoté en un papel cuando creé la billetera.", "¿Mi dinero sigue seguro?",
        "Saludos cordiales, Lucía.", "Funcionaba bien hasta esta mañana.", "Por favor respondan pronto.",
        "Ya probé todo lo que dice la ayuda.", "Uso la versión de iPhone.", "Espero que puedan solucionarlo.",
        "La pantalla solo dice error de red.", "No cierren mi caso, por favor.",
        "Buenas tardes, equipo de soporte.", "¿Es un error de la nueva versión?",
        "Me aparece otra dirección distinta.", "Avísenme si necesitan algo más.", "Estoy muy preocupado.",
    ),
    "ru": (
        "Здравствуйте, нужна помощь с кошельком.", "Помогите, пожалуйста.", "Кошелёк теперь пустой.",
        "Я обновил приложение, и всё пропало.", "Не понимаю, что случилось с моими средствами.",
        "Проверьте, пожалуйста, мой аккаунт.", "Сменил телефон и не могу войти.", "Баланс показывает ноль.",
        "Жду ответа уже два дня.", "Заранее спасибо.", "Это очень срочно.",
        "Друг сказал, что вы можете восстановить доступ.", "Приложение постоянно вылетает.",
        "Не понимаю, в чём ошибка.", "Извините за беспокойство.",
        "Я записал это на бумаге, когда создавал кошелёк.", "Мои деньги в безопасности?",
        "С уважением, Андрей.", "Всё работало до сегодняшнего утра.", "Ответьте как можно скорее.",
        "Я уже попробовал всё из справки.", "Пользуюсь версией для Андроида.",
        "Надеюсь, вы сможете это исправить.", "На экране только ошибка сети.", "Не закрывайте мою заявку.",
        "Добрый день, служба поддержки.", "Это ошибка новой версии?", "Показывается другой адрес.",
        "Напишите, если нужно что-то ещё.", "Я очень переживаю.",
    ),
    "fr": (
        "Bonjour, j'ai besoin d'aide avec mon portefeuille.", "Aidez-moi svp.",
        "Mon portefeuille est vide maintenant.", "J'ai mis à jour l'application et tout a disparu.",
        "Je ne sais pas ce qui est arrivé à mes fonds.", "Pouvez-vous vérifier mon compte ?",
        "J'ai changé de téléphone et je ne peux plus me connecter.", "Le solde affiche zéro.",
        "J'attends une réponse depuis deux jours.", "Merci d'avance.", "C'est très urgent pour moi.",
        "Un ami m'a dit que vous pouvez le restaurer.", "L'application plante tout le temps.",
        "Je ne comprends pas ce qui s'est passé.", "Désolé pour le dérangement.",
        "Je l'ai noté sur papier en créant le portefeuille.", "Mon argent est-il en sécurité ?",
        "Cordialement, Julien.", "Tout fonctionnait jusqu'à ce matin.", "Répondez vite s'il vous plaît.",
        "J'ai déjà tout essayé dans la FAQ.", "J'utilise la version Android.",
        "J'espère que vous pourrez régler ça.", "L'écran affiche seulement une erreur réseau.",
        "Ne fermez pas mon ticket svp.", "Bonsoir l'équipe du support.", "Est-ce un bug de la nouvelle version ?",
        "Je vois une autre adresse maintenant.", "Dites-moi s'il vous faut autre chose.", "Je suis très inquiet.",
    ),
    "zh": (
        "你好，我需要帮助。", "请帮我看看。", "我的钱包现在是空的。", "我昨天更新了应用，然后资产都不见了。",
        "不知道我的币去哪了。", "能帮我查一下账户吗？", "换了手机以后登录不了。", "余额显示为零。",
        "我已经等了两天了。", "先谢谢你们。", "这件事对我很急。", "朋友说你们可以帮我恢复。", "应用一直闪退。",
        "我不明白哪里出错了。", "不好意思打扰了。", "创建钱包的时候我把它写在纸上了。", "我的钱还安全吗？",
        "麻烦尽快回复。", "今天早上之前一切正常。", "帮助中心的方法我都试过了。", "我用的是安卓版本。",
        "希望你们能尽快解决。", "屏幕上只显示网络错误。", "请不要关闭我的工单。", "客服你好。",
        "这是新版本的问题吗？", "现在显示的是另一个地址。", "如果还需要什么请告诉我。", "我真的很担心。", "谢谢。",
    ),
}
FILLER_TW = (
    "你好，我需要幫助。", "請幫我看看。", "我的錢包現在是空的。", "我昨天更新了應用程式，資產都不見了。",
    "不知道我的幣去哪了。", "能幫我查一下帳戶嗎？", "換了手機以後登入不了。", "餘額顯示為零。",
    "我已經等了兩天了。", "先謝謝你們。", "這件事對我很急。", "應用程式一直閃退。", "我的錢還安全嗎？",
    "麻煩盡快回覆。", "客服你好。",
)
INTROS: dict[str, tuple[str, ...]] = {
    "en": ("here is my seed:", "my recovery phrase is", "these are my words:", "seed phrase below",
           "my 12 words:", "this is what I wrote down:", "mnemonic:", "backup words:"),
    "es": ("aquí está mi frase semilla:", "mi frase de recuperación es", "estas son mis palabras:",
           "mis 12 palabras:", "lo que anoté:", "frase:"),
    "ru": ("вот моя сид-фраза:", "моя фраза восстановления:", "вот мои слова:", "мои 12 слов:",
           "что я записал:", "мнемоника:"),
    "fr": ("voici ma phrase de récupération :", "ma phrase secrète est", "voici mes mots :", "mes 12 mots :",
           "ce que j'ai noté :", "phrase :"),
    "zh": ("我的助记词是：", "助记词如下：", "这是我的助记词", "我写下来的是：", "我的12个单词：", "种子短语："),
}
INTROS_TW = ("我的助記詞是：", "助記詞如下：", "這是我的助記詞", "我抄下來的是：")
FORGOT = {
    "en": "I forgot one word, can you find it?", "es": "Olvidé una palabra, ¿pueden encontrarla?",
    "ru": "Одно слово я забыл, можете найти его?", "fr": "J'ai oublié un mot, pouvez-vous le retrouver ?",
    "zh": "有一个词我忘了，能帮我找回来吗？",
}
CUES = {
    "en": ("my seed phrase starts with", "the first words of my phrase are", "my mnemonic begins with"),
    "es": ("mi frase semilla empieza con", "las primeras palabras de mi frase son"),
    "ru": ("сид-фраза начинается с", "первые слова фразы:"),
    "fr": ("ma phrase de récupération commence par", "les premiers mots de ma phrase sont"),
    "zh": ("助记词前几个是", "我的助记词开头是"),
}
CONTINUE = {
    "en": ("and then", "rest:", "continued", "the last ones:"), "es": ("y luego", "el resto:", "sigue"),
    "ru": ("дальше", "остальные:", "продолжение"), "fr": ("et ensuite", "la suite :", "le reste :"),
    "zh": ("后面是", "接着是", "剩下的："),
}
KEY_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("my private key is {k}", "private key: {k}", "here is my key {k} please check",
           "exported private key {k}", "{k} this is the private key of my wallet", "privkey={k}"),
    "zh": ("我的私钥是{k}", "私钥：{k}", "这是我导出的私钥 {k} 请帮我看看", "{k} 这是我钱包的私钥", "私鑰：{k}"),
    "es": ("mi clave privada es {k}", "clave privada: {k}", "aquí está mi llave privada {k}",
           "{k} es la clave privada de mi billetera"),
    "ru": ("мой приватный ключ {k}", "приватный ключ: {k}", "вот закрытый ключ от кошелька {k}",
           "секретный ключ {k}", "{k} это приватный ключ"),
    "fr": ("ma clé privée est {k}", "clé privée : {k}", "voici la clef privée de mon portefeuille {k}",
           "{k} c'est ma clé privée"),
}
NO_GAS = {
    "en": ("no gas, send it for me {k}", "I have no gas, send it for me: {k}", "{k} no gas, send it for me"),
    "es": ("no tengo gas, envíalo tú {k}", "{k} no tengo gas, envíalo tú por favor"),
    "ru": ("нет газа, отправьте за меня {k}", "{k} нет газа, отправьте за меня"),
    "fr": ("pas de gas, envoyez-le pour moi {k}", "je n'ai pas de gas, envoyez pour moi : {k}"),
    "zh": ("没有gas了，帮我转出去 {k}", "{k} 没有手续费，你们帮我转走吧"),
}
SOL_SENT = {
    "en": "I sent 2 SOL from this wallet, key: {k}", "es": "Envié 2 SOL desde esta billetera, clave: {k}",
    "ru": "Я отправил 2 SOL с этого кошелька, ключ: {k}", "fr": "J'ai envoyé 2 SOL depuis ce portefeuille, clé : {k}",
    "zh": "我从这个钱包转了 2 SOL，密钥：{k}",
}
SEED_WORDS = ("secret seed: {k}", "Secret seed:       {k}", "seed {k}", "my polkadot seed is {k}",
              "raw seed (secret): {k}", "мой seed {k}", "种子 seed：{k}")
PARTIAL_KEY = {
    "en": "I could only copy part of my private key: {k}", "es": "solo pude copiar parte de mi clave privada: {k}",
    "ru": "скопировал только часть приватного ключа: {k}", "fr": "je n'ai copié qu'une partie de ma clé privée : {k}",
    "zh": "私钥我只复制了一部分：{k}",
}
SPLIT_KEY = {
    "en": ("private key part 1:", "part 2:"), "es": ("clave privada, parte 1:", "parte 2:"),
    "ru": ("приватный ключ, часть 1:", "часть 2:"), "fr": ("clé privée, partie 1 :", "partie 2 :"),
    "zh": ("私钥第一段：", "第二段："),
}
STEPS = {
    "en": ("Open the app", "Tap Settings", "Choose Security", "Turn on the lock", "Restart the phone",
           "Check the balance again", "Send us a screenshot"),
    "es": ("Abra la aplicación", "Toque Ajustes", "Elija Seguridad", "Active el bloqueo", "Reinicie el teléfono",
           "Revise el saldo otra vez", "Envíenos una captura"),
    "ru": ("Откройте приложение", "Нажмите Настройки", "Выберите Безопасность", "Включите блокировку",
           "Перезапустите телефон", "Проверьте баланс ещё раз", "Пришлите нам скриншот"),
    "fr": ("Ouvrez l'application", "Touchez Réglages", "Choisissez Sécurité", "Activez le verrouillage",
           "Redémarrez le téléphone", "Vérifiez de nouveau le solde", "Envoyez-nous une capture"),
    "zh": ("打开应用", "点击设置", "选择安全", "开启锁屏", "重启手机", "再查看一次余额", "给我们发一张截图"),
}
TRANSFER = {
    "en": ("my transfer {h} is still pending", "I sent USDT yesterday, hash {h}, not arrived",
           "withdrawal {h} stuck for two hours", "txid: {h} please check", "payment {h} not confirmed yet"),
    "es": ("mi transferencia {h} sigue pendiente", "envié USDT ayer, hash {h}, no llegó",
           "el retiro {h} lleva dos horas atascado", "comprobante de la transacción: {h}"),
    "ru": ("мой перевод {h} до сих пор в ожидании", "отправил USDT вчера, хеш {h}, не пришло",
           "вывод {h} завис на два часа", "транзакция {h}, проверьте пожалуйста"),
    "fr": ("mon virement {h} est toujours en attente", "j'ai envoyé des USDT hier, hash {h}, rien reçu",
           "le retrait {h} est bloqué depuis deux heures", "transaction {h} pas confirmée"),
    "zh": ("我的转账 {h} 还没到账", "昨天转了USDT，交易哈希 {h}，一直没到", "提币 {h} 卡了两个小时",
           "交易号：{h} 麻烦查一下"),
}
EXPLORERS = ("https://tronscan.org/#/transaction/{h}", "https://etherscan.io/tx/0x{h}", "https://bscscan.com/tx/0x{h}",
             "etherscan.io/tx/0x{h}", "https://www.oklink.com/eth/tx/0x{h}", "https://blockchair.com/bitcoin/transaction/{h}")
LINK_FRAMES = {
    "en": "my deposit is not showing, see {u}", "es": "mi depósito no aparece, miren {u}",
    "ru": "депозит не отображается, вот ссылка {u}", "fr": "mon dépôt n'apparaît pas, voir {u}",
    "zh": "充值没到账，链接：{u}",
}
ADDRESS_FRAMES = {
    "en": ("my address is {a}", "send it back to {a} please", "receiving address: {a}"),
    "es": ("mi dirección es {a}", "devuélvanlo a {a} por favor"),
    "ru": ("мой адрес {a}", "верните на адрес {a}"),
    "fr": ("mon adresse est {a}", "renvoyez-le à {a} svp"),
    "zh": ("我的地址是 {a}", "请退回到 {a}"),
}
ORDER_FRAMES = {
    "en": ("order #{n} was paid but not delivered", "my order number is {n}", "ticket {n}, any update?"),
    "es": ("pedido n.º {n} pagado pero no recibido", "mi número de pedido es {n}"),
    "ru": ("заказ № {n} оплачен, но не пришёл", "номер моего заказа {n}"),
    "fr": ("commande n° {n} payée mais non reçue", "mon numéro de commande est {n}"),
    "zh": ("订单号 {n} 已付款但没收到", "我的工单号是 {n}"),
}


# --- secrets --------------------------------------------------------------------------------------


@functools.cache
def _mnemonic(wordlist: str) -> Mnemonic:
    return Mnemonic(wordlist)


REPAIRED = {"сно\ufffd\ufffdа": "снова"}
"""Words the ``mnemonic`` package ships broken (russian.txt holds "сно" U+FFFD U+FFFD "а" for "снова"):
a customer types the real word."""


@functools.cache
def wordlist(name: str) -> tuple[str, ...]:
    """The NFC words of list ``name`` in order, broken words repaired."""
    return tuple(REPAIRED.get(w, w) for w in (unicodedata.normalize("NFC", w) for w in _mnemonic(name).wordlist))


@functools.cache
def listed(name: str) -> frozenset[str]:
    """The NFC words of list ``name`` (repaired)."""
    return frozenset(wordlist(name))


def phrase(rng: random.Random, name: str, length: int) -> list[str]:
    """A checksum-valid phrase (NFC words): seeded entropy through ``Mnemonic.to_mnemonic``."""
    entropy = rng.randbytes(length * 4 // 3)
    words = (unicodedata.normalize("NFC", w) for w in _mnemonic(name).to_mnemonic(entropy).split())
    return [REPAIRED.get(w, w) for w in words]


def _letters(word: str) -> str:
    if any("\u3040" <= ch <= "\u30ff" for ch in word):
        return "".join(chr(c) for c in range(0x3041, 0x3094))
    if any("\uac00" <= ch <= "\ud7a3" for ch in word):
        return "가나다라마바사아자차카타파하고노도로모보소오조초코토포호"
    if any("\u0400" <= ch <= "\u04ff" for ch in word):
        return "абвгдежзийклмнопрстуфхцчшщыьэюя"
    return "abcdefghijklmnopqrstuvwxyz"


def typo(word: str, name: str, rng: random.Random) -> str:
    """``word`` with one letter changed, dropped or doubled, and no longer a word of list ``name``."""
    if name in HAN_LISTS:
        return rng.choice(NOT_LISTED_HAN)
    words = listed(name)
    letters = _letters(word)
    for _ in range(100):
        how = rng.choice(("change", "drop", "double") if len(word) >= 4 else ("change", "double"))
        i = rng.randrange(1, len(word)) if len(word) > 1 else 0
        if how == "change":
            candidate = word[:i] + rng.choice(letters) + word[i + 1:]
        elif how == "drop":
            candidate = word[:i] + word[i + 1:]
        else:
            candidate = word[:i] + word[i] + word[i:]
        if candidate != word and candidate not in words and candidate.lower() not in words:
            return candidate
    return word + word[-1]


def b58decode(value: str) -> bytes:
    number = 0
    for ch in value:
        number = number * 58 + B58_ALPHABET.index(ch)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * (len(value) - len(value.lstrip("1"))) + body


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def b58check(payload: bytes) -> str:
    return b58encode(payload + _checksum(payload))


def b58check_ok(value: str) -> bytes | None:
    """The payload of a valid base58check string, else None."""
    try:
        raw = b58decode(value)
    except ValueError:
        return None
    if len(raw) < 5 or _checksum(raw[:-4]) != raw[-4:]:
        return None
    return raw[:-4]


def wif(rng: random.Random, compressed: bool, testnet: bool = False) -> str:
    return b58check((b"\xef" if testnet else b"\x80") + rng.randbytes(32) + (b"\x01" if compressed else b""))


def broken_wif(value: str, rng: random.Random) -> str:
    """``value`` with one character (not the first) changed: its checksum no longer holds."""
    while True:
        i = rng.randrange(1, len(value))
        candidate = value[:i] + rng.choice(B58_ALPHABET.replace(value[i], "")) + value[i + 1:]
        if b58check_ok(candidate) is None:
            return candidate


def extended_key(rng: random.Random, kind: str) -> str:
    """A real base58check extended private key: version, depth, fingerprint, child, chain code, 0x00 + key."""
    depth = rng.randrange(0, 6)
    fingerprint = rng.randbytes(4) if depth else b"\x00" * 4
    child = rng.randrange(0, 2**31).to_bytes(4, "big") if depth else b"\x00" * 4
    payload = bytes.fromhex(XPRV_VERSIONS[kind]) + bytes([depth]) + fingerprint + child + rng.randbytes(32) + b"\x00" \
        + rng.randbytes(32)
    return b58check(payload)


# --- building messages ----------------------------------------------------------------------------


@dataclass
class _Draft:
    """Messages under construction, with the span of every piece written so far."""

    parts: list[list[str]] = field(default_factory=lambda: [[]])
    sizes: list[int] = field(default_factory=lambda: [0])
    pieces: list[tuple[int, int, int]] = field(default_factory=list)

    def text(self, value: str) -> None:
        self.parts[-1].append(value)
        self.sizes[-1] += len(value)

    def piece(self, value: str) -> None:
        start = self.sizes[-1]
        self.text(value)
        self.pieces.append((len(self.parts) - 1, start, self.sizes[-1]))

    def new_message(self) -> None:
        if self.sizes[-1] or self.parts[-1]:
            self.parts.append([])
            self.sizes.append(0)

    def words(self, shown: Sequence[str], seps: Sequence[str] | str = " ", before: Sequence[str] = (),
              after: Sequence[str] = ()) -> None:
        """Write each word as a piece, with ``before[i]``/``after[i]`` around it and separators between."""
        for i, word in enumerate(shown):
            if before:
                self.text(before[i])
            self.piece(word)
            if after:
                self.text(after[i])
            if i < len(shown) - 1:
                self.text(seps if isinstance(seps, str) else seps[i])

    def messages(self) -> tuple[str, ...]:
        return tuple("".join(p) for p in self.parts if p)


def _fill(rng: random.Random, lang: str, low: int = 1, high: int = 3, traditional: bool = False) -> str:
    pool = FILLER_TW if traditional else FILLER[lang]
    chosen = rng.sample(pool, rng.randint(low, high))
    return ("" if lang == "zh" else " ").join(chosen)


def _gap(rng: random.Random) -> str:
    return rng.choice((" ", " ", "\n", "\n\n", " \n"))


def _intro(rng: random.Random, lang: str, traditional: bool = False) -> str:
    return rng.choice(INTROS_TW if traditional else INTROS[lang])


def _lang_for(rng: random.Random, wordlist: str) -> str:
    if wordlist in HAN_LISTS and rng.random() < 0.6:
        return "zh"
    if wordlist in ("spanish", "french", "russian") and rng.random() < 0.5:
        return {"spanish": "es", "french": "fr", "russian": "ru"}[wordlist]
    return rng.choice(LANGS)


def _word_sep(rng: random.Random, wordlist: str) -> str:
    if wordlist == "japanese":
        return rng.choice(("\u3000", " "))
    if wordlist in HAN_LISTS:
        return rng.choice((" ", "", " "))
    return " "


def _wrap(draft: _Draft, rng: random.Random, lang: str, body: Callable[[], None], *, before: bool = True,
          after: bool = True, intro: bool = True, traditional: bool = False) -> None:
    """Filler, an intro, the secret (``body``), filler: one ordinary-looking message."""
    if before and rng.random() < 0.8:
        draft.text(_fill(rng, lang, traditional=traditional) + _gap(rng))
    if intro:
        draft.text(_intro(rng, lang, traditional) + rng.choice((" ", "\n", " ")))
    body()
    if after and rng.random() < 0.7:
        draft.text(_gap(rng) + _fill(rng, lang, 1, 2, traditional=traditional))


@dataclass(frozen=True)
class _Spec:
    """What a class builder is asked for: index, word list, length, language."""

    index: int
    wordlist: str
    length: int
    lang: str


def _case(cls: str, index: int, draft: _Draft, kind: str, words: Sequence[str], mode: str = "text",
          wordlist: str = "", variant: str = "") -> AttackCase:
    return AttackCase(f"{cls}-{index:05d}", cls, kind, draft.messages(), tuple(draft.pieces), tuple(words), mode,
                      wordlist, variant)


# --- keys -----------------------------------------------------------------------------------------

KEY_VARIANTS = ("hex_word", "hex_0x_word", "hex_upper_word", "hex_two_lines", "hex_fours", "url_param", "wif_compressed",
                "wif_uncompressed", "wif_testnet", "wif_bad", "wif_bad_bare", "xprv", "tprv", "ltpv", "sol_array",
                "sol_b58", "tm_json", "tm_armor", "dot_seed", "dot_subkey", "dot_json", "no_gas")


def _b64(rng: random.Random, size: int) -> str:
    return base64.b64encode(rng.randbytes(size)).decode()


def _key_frame(rng: random.Random, lang: str, key_text: Callable[[_Draft], None], draft: _Draft,
               frames: Sequence[str] | None = None) -> None:
    frame = rng.choice(frames or KEY_WORDS[lang])
    head, _, tail = frame.partition("{k}")
    if rng.random() < 0.6:
        draft.text(_fill(rng, lang) + _gap(rng))
    draft.text(head)
    key_text(draft)
    draft.text(tail)
    if rng.random() < 0.5:
        draft.text(_gap(rng) + _fill(rng, lang, 1, 2))


def _key_case(cls: str, index: int, rng: random.Random, variant: str, lang: str) -> AttackCase:
    """One private key written as ``variant`` with ordinary text in ``lang`` around it."""
    draft = _Draft()
    hex_key = rng.randbytes(32).hex()
    secret = hex_key

    def whole(value: str) -> Callable[[_Draft], None]:
        return lambda d: d.piece(value)

    if variant in ("hex_word", "hex_0x_word", "hex_upper_word"):
        secret = {"hex_word": hex_key, "hex_0x_word": "0x" + hex_key, "hex_upper_word": hex_key.upper()}[variant]
        _key_frame(rng, lang, whole(secret), draft)
    elif variant == "hex_two_lines":
        def two(d: _Draft) -> None:
            d.text(rng.choice(("\n", "\n", " \n", "\r\n")))
            d.piece(hex_key[:32])
            d.text(rng.choice(("\n", "\r\n", "\n\n")))
            d.piece(hex_key[32:])
        _key_frame(rng, lang, two, draft)
    elif variant == "hex_fours":
        sep = rng.choice((" ", " ", "  ", "-", " - "))

        def fours(d: _Draft) -> None:
            d.words([hex_key[i:i + 4] for i in range(0, 64, 4)], sep)
        _key_frame(rng, lang, fours, draft)
    elif variant == "url_param":
        template = rng.choice(("https://x.example/import?pk={k}", "https://x.example/wallet?chain=eth&privateKey={k}",
                               "https://x.example/#/import?key=0x{k}", "x.example/import?private_key={k}&chain=bsc",
                               "https://x.example/connect?network=tron&pk={k}&ref=airdrop"))
        head, _, tail = template.partition("{k}")
        frame = rng.choice(({"en": "the airdrop site asked me to open {u}", "es": "la web del airdrop me pidió abrir {u}",
                             "ru": "сайт раздачи попросил открыть {u}", "fr": "le site de l'airdrop m'a fait ouvrir {u}",
                             "zh": "空投网站让我打开 {u}"}[lang], "{u}"))
        before, _, after = frame.partition("{u}")
        if rng.random() < 0.5:
            draft.text(_fill(rng, lang) + _gap(rng))
        draft.text(before + head)
        draft.piece(hex_key)
        draft.text(tail + after)
    elif variant.startswith("wif"):
        secret = wif(rng, compressed=variant != "wif_uncompressed", testnet=variant == "wif_testnet")
        if variant.startswith("wif_bad"):
            secret = broken_wif(secret, rng)
        if variant == "wif_bad_bare":
            draft.text(_fill(rng, lang) + _gap(rng))
            draft.piece(secret)
            draft.text(_gap(rng) + _fill(rng, lang, 1, 2))
        else:
            _key_frame(rng, lang, whole(secret), draft)
    elif variant in XPRV_VERSIONS:
        secret = extended_key(rng, variant)
        _key_frame(rng, lang, whole(secret), draft)
    elif variant == "sol_array":
        numbers = list(rng.randbytes(64))
        secret = json.dumps(numbers, separators=rng.choice(((",", ":"), (", ", ": "))))
        _key_frame(rng, lang, whole(secret), draft, frames=(SOL_SENT[lang],))
    elif variant == "sol_b58":
        secret = b58encode(rng.randbytes(64))
        _key_frame(rng, lang, whole(secret), draft, frames=(SOL_SENT[lang],))
    elif variant == "tm_json":
        secret = _b64(rng, 64)
        address = rng.randbytes(20).hex().upper()
        pub = base64.b64encode(base64.b64decode(secret)[32:]).decode()
        indent = rng.choice(("  ", ""))
        newline = "\n" if indent else " "
        if rng.random() < 0.6:
            draft.text(_fill(rng, lang) + _gap(rng) + "priv_validator_key.json:" + newline)
        draft.text("{" + newline + f'{indent}"address": "{address}",' + newline
                   + f'{indent}"pub_key": {{"type": "tendermint/PubKeyEd25519", "value": "{pub}"}},' + newline
                   + f'{indent}"priv_key": {{"type": "tendermint/PrivKeyEd25519", "value": "')
        draft.piece(secret)
        draft.text('"}' + newline + "}")
    elif variant == "tm_armor":
        body = _b64(rng, 72)
        secret = body
        salt = rng.randbytes(16).hex().upper()
        draft.text(_fill(rng, lang) + _gap(rng))
        draft.text(f"-----BEGIN TENDERMINT PRIVATE KEY-----\nkdf: bcrypt\nsalt: {salt}\ntype: secp256k1\n\n")
        draft.piece(body[:64])
        draft.text("\n")
        draft.piece(body[64:])
        draft.text(f"\n={_b64(rng, 3)}\n-----END TENDERMINT PRIVATE KEY-----")
    elif variant == "dot_seed":
        secret = "0x" + hex_key
        _key_frame(rng, lang, whole(secret), draft, frames=SEED_WORDS)
    elif variant == "dot_subkey":
        secret = "0x" + hex_key
        ss58 = b58encode(bytes([42]) + rng.randbytes(34))
        draft.text(_fill(rng, lang) + "\n" + "Network ID:        substrate\nSecret seed:       ")
        draft.piece(secret)
        public = "0x" + rng.randbytes(32).hex()
        draft.text(f"\nPublic key (hex):  {public}\nAccount ID:        {public}\n"
                   f"Public key (SS58): {ss58}\nSS58 Address:      {ss58}")
    elif variant == "dot_json":
        secret = _b64(rng, 201)
        address = b58encode(bytes([42]) + rng.randbytes(34))
        genesis = "0x" + rng.randbytes(32).hex()
        draft.text(_fill(rng, lang) + _gap(rng) + '{"encoded":"')
        draft.piece(secret)
        draft.text('","encoding":{"content":["pkcs8","sr25519"],"type":["scrypt","xsalsa20-poly1305"],'
                   f'"version":"3"}},"address":"{address}","meta":{{"genesisHash":"{genesis}",'
                   '"name":"my account","whenCreated":1700000000000}}')
    elif variant == "no_gas":
        secret = rng.choice((hex_key, "0x" + hex_key))
        frame = rng.choice(NO_GAS[lang])
        head, _, tail = frame.partition("{k}")
        draft.text(head)
        draft.piece(secret)
        draft.text(tail)
    else:
        raise ValueError(variant)
    return _case(cls, index, draft, "private_key", (secret,), variant=variant)


def _hex_obfuscated(cls: str, index: int, rng: random.Random, lang: str) -> AttackCase:
    """A 64-hex key next to a key word, written the way ``cls`` writes secrets."""
    draft = _Draft()
    hex_key = rng.randbytes(32).hex()
    variant = cls
    if cls == "html":
        variant = rng.choice(("html_code", "html_br_halves", "html_span_halves"))
        draft.text(f"<p>{_fill(rng, lang)}</p>")
        draft.text(rng.choice(KEY_WORDS[lang]).split("{k}")[0].strip() or "private key:")
        if variant == "html_code":
            draft.text("<p><code>")
            draft.piece(hex_key)
            draft.text("</code></p>")
        elif variant == "html_br_halves":
            draft.text("<br>")
            draft.piece(hex_key[:32])
            draft.text(rng.choice(("<br>", "<br/>", "<br />")))
            draft.piece(hex_key[32:])
        else:
            draft.text("<span>")
            draft.piece(hex_key[:32])
            draft.text("</span><span>")
            draft.piece(hex_key[32:])
            draft.text("</span>")
    elif cls == "spacing":
        variant = rng.choice(("hex_literal_newline", "hex_tabs", "hex_pdf_spaces"))
        halves = [hex_key[:32], hex_key[32:]]
        sep = {"hex_literal_newline": "\\n", "hex_tabs": "\t" * rng.randint(1, 3),
               "hex_pdf_spaces": " " * rng.randint(25, 60)}[variant]
        _key_frame(rng, lang, lambda d: d.words(halves, sep), draft)
    elif cls == "invisible":
        variant = rng.choice(("hex_zero_width", "hex_tags", "wif_zero_width"))
        value = hex_key if variant != "wif_zero_width" else wif(rng, compressed=True)
        pool = INVISIBLE_FAMILIES["tags" if variant == "hex_tags" else "zero_width"]
        shown = _insert(value, rng, pool, rng.randint(1, 4))
        _key_frame(rng, lang, lambda d: d.piece(shown), draft)
        return _case(cls, index, draft, "private_key", (value,), variant=variant)
    elif cls == "lookalike":
        variant = "hex_cyrillic"
        shown = _lookalike(hex_key, HEX_LOOKALIKES, rng, rng.randint(2, 6))
        _key_frame(rng, lang, lambda d: d.piece(shown), draft)
    elif cls == "partial":
        variant = "hex_truncated"
        hex_key = ("0x" if rng.random() < 0.3 else "") + hex_key[: rng.randint(56, 63)]
        _key_frame(rng, lang, lambda d: d.piece(hex_key), draft, frames=(PARTIAL_KEY[lang],))
    elif cls == "long":
        variant = "hex_at_start_30k"
        _key_frame(rng, lang, lambda d: d.piece(hex_key), draft)
        _pad_to(draft, rng, LONG_CHARS)
    else:
        raise ValueError(cls)
    return _case(cls, index, draft, "private_key", (hex_key,), variant=variant)


def _key_split_case(cls: str, index: int, rng: random.Random, lang: str) -> AttackCase:
    """A key over several messages (``conversation``) or lines (``lines``)."""
    draft = _Draft()
    mode = "conversation" if cls == "conversation" else "lines"
    for _ in range(rng.randint(1, 2)):
        draft.text(_fill(rng, lang, 1, 2))
        draft.new_message()
    variant = rng.choice(("hex_halves", "hex_quarters", "wif_halves", "key_then_word"))
    if variant == "key_then_word" and mode == "lines":
        variant = "hex_quarters"
    secret = rng.randbytes(32).hex()
    if variant == "wif_halves":
        secret = wif(rng, compressed=rng.random() < 0.5)
    if variant == "key_then_word":
        draft.text(rng.choice(KEY_WORDS[lang]).split("{k}")[0].strip() or "private key:")
        draft.new_message()
        draft.piece(secret)
    else:
        count = 4 if variant == "hex_quarters" else 2
        size = -(-len(secret) // count)
        labels = SPLIT_KEY[lang]
        for i in range(count):
            if mode == "conversation" and i < 2 and rng.random() < 0.5:
                draft.text(labels[i] + " ")
            elif mode == "lines" and i == 0:
                draft.text(labels[0])
                draft.new_message()
            draft.piece(secret[i * size:(i + 1) * size])
            draft.new_message()
    draft.new_message()
    if rng.random() < 0.7:
        draft.text(_fill(rng, lang, 1, 2))
    return _case(cls, index, draft, "private_key", (secret,), mode, variant=variant)


# --- obfuscations ---------------------------------------------------------------------------------


def _insert(word: str, rng: random.Random, pool: Sequence[str], count: int) -> str:
    """``word`` with ``count`` characters from ``pool`` inserted strictly inside it."""
    if len(word) < 2:
        return word
    chars = list(word)
    for _ in range(count):
        chars.insert(rng.randrange(1, len(chars)), rng.choice(pool))
    return "".join(chars)


def _lookalike(word: str, table: dict[str, str], rng: random.Random, count: int) -> str:
    positions = [i for i, ch in enumerate(word) if ch in table]
    if not positions:
        return word
    chosen = set(rng.sample(positions, min(count, len(positions))))
    return "".join(table[ch] if i in chosen else ch for i, ch in enumerate(word))


def _entity(ch: str, rng: random.Random) -> str:
    return rng.choice((f"&#{ord(ch)};", f"&#x{ord(ch):x};", f"&#X{ord(ch):X};"))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _circled(n: int) -> str:
    return chr(0x2460 + n - 1) if n <= 20 else chr(0x3251 + n - 21)


LABEL_STYLES: dict[str, Callable[[int], str]] = {
    "word": lambda n: f"word {n}: ",
    "slovo": lambda n: f"слово {n}: ",
    "palabra": lambda n: f"palabra {n}: ",
    "mot": lambda n: f"mot {n} : ",
    "di_ge": lambda n: f"第{n}个:",
    "di_ge_tw": lambda n: f"第{n}個：",
    "ordinal": lambda n: f"{_ordinal(n)} ",
    "ordinal_colon": lambda n: f"{_ordinal(n)}: ",
    "circled": lambda n: _circled(n),
    "circled_space": lambda n: f"{_circled(n)} ",
    "no": lambda n: f"No.{n} ",
    "hash_dash": lambda n: f"#{n} - ",
    "paren": lambda n: f"({n}) ",
    "word_hash_eq": lambda n: f"Word #{n} = ",
}
NUMBERING: dict[str, Callable[[int], str]] = {
    "dot": lambda n: f"{n}. ", "paren": lambda n: f"{n}) ", "hash": lambda n: f"#{n} ", "dot_tight": lambda n: f"{n}.",
    "paren_tight": lambda n: f"{n})", "dash": lambda n: f"{n} - ",
}


def _plain(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    variant = rng.choice(("spaces", "commas", "newlines", "numbered", "numbered_lines", "mixed_case"))
    sep = _word_sep(rng, spec.wordlist)
    shown = list(words)
    seps: str | list[str] = sep
    before: list[str] = []
    if variant == "commas":
        seps = rng.choice((", ", ",", "，" if spec.wordlist in HAN_LISTS else ", "))
    elif variant == "newlines":
        seps = rng.choice(("\n", "\r\n", "\n\n"))
    elif variant in ("numbered", "numbered_lines"):
        style = NUMBERING[rng.choice(tuple(NUMBERING))]
        before = [style(n) for n in range(1, len(words) + 1)]
        seps = " " if variant == "numbered" else "\n"
    elif variant == "mixed_case" and spec.wordlist in CASED_LISTS:
        shown = [w.upper() if i % 3 == 0 else w.capitalize() if i % 3 == 1 else w for i, w in enumerate(words)]
    _wrap(draft, rng, spec.lang, lambda: draft.words(shown, seps, before))
    return variant


def _html(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    variant = rng.choice(("br", "p", "ol", "div", "span", "nbsp", "entity_space", "td", "entity_letter",
                          "split_tag", "mixed"))
    n = len(words)
    shown = list(words)
    before = [""] * n
    after = [""] * n
    seps: list[str] = [""] * (n - 1)
    space_entities = ("&nbsp;", "&#32;", "&#x20;", "&#160;", "&#xA0;", "&ensp;", "&emsp;", "&thinsp;")
    if variant == "br":
        seps = [rng.choice(("<br>", "<br/>", "<br />", "<BR>", "<br>\n")) for _ in range(n - 1)]
    elif variant == "p":
        before, after = ["<p>"] * n, ["</p>"] * n
    elif variant == "ol":
        before, after = ["<li>"] * n, ["</li>"] * n
        seps = [rng.choice(("", "\n"))] * (n - 1)
    elif variant == "div":
        before, after = ["<div>"] * n, ["</div>"] * n
    elif variant == "span":
        before = [rng.choice(("<span>", '<span class="w">', '<span style="color:red">'))] * n
        after = ["</span>"] * n
        seps = [rng.choice(("", " "))] * (n - 1)
    elif variant == "nbsp":
        seps = ["&nbsp;"] * (n - 1)
    elif variant == "entity_space":
        seps = [rng.choice(space_entities) for _ in range(n - 1)]
    elif variant == "td":
        before, after = ["<td>"] * n, ["</td>"] * n
    elif variant == "entity_letter":
        seps = [" "] * (n - 1)
        for i, word in enumerate(words):
            if len(word) > 1 and rng.random() < 0.7:
                j = rng.randrange(len(word))
                shown[i] = word[:j] + _entity(word[j], rng) + word[j + 1:]
    elif variant == "split_tag":
        seps = [" "] * (n - 1)
        for i, word in enumerate(words):
            if len(word) > 2 and rng.random() < 0.7:
                j = rng.randrange(1, len(word))
                tag = rng.choice(("b", "i", "span", "em"))
                shown[i] = f"<{tag}>{word[:j]}</{tag}>{word[j:]}"
    else:
        seps = [rng.choice(("<br>", "&nbsp;", "&#32;", "</p><p>", "</div><div>", " ", "&#x20;")) for _ in range(n - 1)]
    if spec.wordlist in HAN_LISTS and variant in ("entity_letter", "split_tag"):
        seps = [rng.choice(("", " ", "&nbsp;"))] * (n - 1)
    wrapper = rng.choice((("", ""), ("<html><body>", "</body></html>"), ("<div>", "</div>")))
    draft.text(wrapper[0])
    if rng.random() < 0.8:
        draft.text(f"<p>{_fill(rng, spec.lang)}</p>")
    draft.text(f"<p>{_intro(rng, spec.lang)}</p>" if rng.random() < 0.7 else _intro(rng, spec.lang) + "<br>")
    if variant == "ol":
        draft.text("<ol>")
    if variant == "td":
        draft.text("<table><tr>")
    draft.words(shown, seps, before, after)
    if variant == "ol":
        draft.text("</ol>")
    if variant == "td":
        draft.text("</tr></table>")
    if rng.random() < 0.6:
        draft.text(f"<p>{_fill(rng, spec.lang, 1, 2)}</p>")
    draft.text(wrapper[1])
    return variant


def _labels(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    variant = rng.choice(tuple(LABEL_STYLES))
    style = LABEL_STYLES[variant]
    sep = rng.choice(("\n", " ", ", ", "; ", " | ", "\t", "\n"))
    _wrap(draft, rng, spec.lang, lambda: draft.words(words, sep, [style(n) for n in range(1, len(words) + 1)]))
    return variant


def _partial(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> tuple[str, list[str]]:
    """Returns the variant and the clean words present (one per piece)."""
    variant = rng.choice(("missing_one", "placeholder", "typos3", "typos4_24", "fragment8", "cue_start"))
    sep = _word_sep(rng, spec.wordlist)
    lang = spec.lang
    if variant == "missing_one":
        if len(words) > 12:
            words = words[:12]
        gone = rng.randrange(len(words))
        present = words[:gone] + words[gone + 1:]
        draft.text(FORGOT[lang] + _gap(rng))
        _wrap(draft, rng, lang, lambda: draft.words(present, sep), before=False)
        return variant, present
    if variant == "placeholder":
        gone = rng.randrange(len(words))
        hole = rng.choice(("???", "___", "...", "?", "***", "(?)", "[?]", "…"))
        present = words[:gone] + words[gone + 1:]
        pad = " " if sep == "" else sep

        def body() -> None:
            if gone:
                draft.words(words[:gone], sep)
                draft.text(pad)
            draft.text(hole)
            if gone < len(words) - 1:
                draft.text(pad)
                draft.words(words[gone + 1:], sep)
        draft.text(FORGOT[lang] + _gap(rng))
        _wrap(draft, rng, lang, body, before=False)
        return variant, present
    if variant in ("typos3", "typos4_24"):
        count = 3 if variant == "typos3" else 4
        if variant == "typos4_24":
            words = phrase(rng, spec.wordlist, 24)
        elif len(words) != 12:
            words = words[:12]
        wrong = set(rng.sample(range(len(words)), count))
        shown = [typo(w, spec.wordlist, rng) if i in wrong else w for i, w in enumerate(words)]
        _wrap(draft, rng, lang, lambda: draft.words(shown, sep))
        return variant, words
    if variant == "fragment8":
        start = rng.randrange(len(words) - 7)
        fragment = words[start:start + 8]
        if rng.random() < 0.7:
            draft.words(fragment, rng.choice((sep, "\n")) if spec.wordlist not in HAN_LISTS else sep)
        else:
            _wrap(draft, rng, lang, lambda: draft.words(fragment, sep), intro=False)
        return variant, fragment
    fragment = words[: rng.randint(4, 7)]
    cue = rng.choice(CUES[lang])
    if rng.random() < 0.7:
        draft.text(_fill(rng, lang) + _gap(rng))
    draft.text(cue + ("" if lang == "zh" and rng.random() < 0.5 else " "))
    draft.words(fragment, sep)
    if rng.random() < 0.6:
        draft.text(rng.choice(("... ", ", ", " ")) + _fill(rng, lang, 1, 2))
    return variant, fragment


def _spacing(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    variant = rng.choice(("pdf_spaces", "literal_newline", "literal_crlf", "tabs", "mixed"))
    n = len(words) - 1
    if variant == "pdf_spaces":
        seps = [" " * rng.randint(25, 60) for _ in range(n)]
    elif variant == "literal_newline":
        seps = [rng.choice(("\\n", "\\n", " \\n ", "\\n\\n")) for _ in range(n)]
    elif variant == "literal_crlf":
        seps = ["\\r\\n"] * n
    elif variant == "tabs":
        seps = ["\t" * rng.randint(1, 4) for _ in range(n)]
    else:
        seps = [rng.choice((" " * rng.randint(25, 60), "\\n", "\t\t", "\t", " \\n")) for _ in range(n)]
    _wrap(draft, rng, spec.lang, lambda: draft.words(words, seps))
    return variant


def _invisible(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    family = rng.choice(tuple(INVISIBLE_FAMILIES))
    pool = INVISIBLE_FAMILIES[family]
    share = rng.choice((0.5, 0.8, 1.0))
    if spec.wordlist in HAN_LISTS:
        # One-character words: the invisible characters go between them, with no space.
        shown = list(words)
        seps = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 2))) for _ in range(len(words) - 1)]
        _wrap(draft, rng, spec.lang, lambda: draft.words(shown, seps))
        return f"{family}_between"
    shown = [_insert(w, rng, pool, rng.randint(1, 3)) if rng.random() < share else w for w in words]
    if shown == words:
        shown[0] = _insert(words[0], rng, pool, 1)
    sep = _word_sep(rng, spec.wordlist)
    _wrap(draft, rng, spec.lang, lambda: draft.words(shown, sep))
    return family


def _lookalike_words(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    table = CYR_TO_LAT if spec.wordlist == "russian" else LAT_TO_CYR
    variant = "latin_in_russian" if spec.wordlist == "russian" else rng.choice(("cyrillic_some", "cyrillic_all"))
    share = 1.0 if variant == "cyrillic_all" else rng.choice((0.3, 0.5, 0.7))
    shown = [_lookalike(w, table, rng, rng.randint(1, 2)) if rng.random() < share else w for w in words]
    changed = [i for i, (a, b) in enumerate(zip(shown, words, strict=True)) if a != b]
    for i in range(len(words)):
        if len(changed) >= 3:
            break
        if i not in changed:
            shown[i] = _lookalike(words[i], table, rng, 1)
            if shown[i] != words[i]:
                changed.append(i)
    if rng.random() < 0.3:
        shown = [w.capitalize() for w in shown]
        variant += "_capitalized"
    _wrap(draft, rng, spec.lang, lambda: draft.words(shown, rng.choice((" ", ", ", "\n"))))
    return variant


def _camel(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    variant = rng.choice(("pascal", "camel", "upper_lower", "pascal_dots"))
    if variant == "pascal" or variant == "pascal_dots":
        shown = [w.capitalize() for w in words]
    elif variant == "camel":
        shown = [words[0]] + [w.capitalize() for w in words[1:]]
    else:
        shown = [w.upper() if i % 2 == 0 else w for i, w in enumerate(words)]
    sep = "." if variant == "pascal_dots" else ""
    _wrap(draft, rng, spec.lang, lambda: draft.words(shown, sep))
    return variant


def _chinese(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    traditional = spec.wordlist == "chinese_traditional"
    variant = rng.choice(("nospace", "spaces", "fullwidth_comma", "enum_comma", "in_sentence", "ideographic_space",
                          "numbered", "english_frame"))
    lang = "en" if variant == "english_frame" else "zh"
    seps = {"nospace": "", "spaces": " ", "fullwidth_comma": "，", "enum_comma": "、", "in_sentence": "",
            "ideographic_space": "\u3000", "numbered": " ", "english_frame": rng.choice(("", " "))}[variant]
    if variant == "in_sentence":
        cue = rng.choice(("我的助记词是", "助记词是", "我的種子是", "助記詞是", "我的钱包助记词") if not traditional
                         else ("我的助記詞是", "助記詞是", "我的種子是"))
        if rng.random() < 0.6:
            draft.text(_fill(rng, "zh", traditional=traditional))
        draft.text(cue)
        draft.words(words, "")
        draft.text(rng.choice(("请帮我看看", "麻烦帮我查一下", "帮我恢复一下", "", "謝謝")))
        return variant
    before = [f"{n}." for n in range(1, len(words) + 1)] if variant == "numbered" else []
    _wrap(draft, rng, lang, lambda: draft.words(words, seps, before), traditional=traditional and lang == "zh")
    return variant


def _pad_to(draft: _Draft, rng: random.Random, size: int) -> None:
    """Ordinary text in every language until the current message holds ``size`` characters."""
    pool = [s for lang in LANGS for s in FILLER[lang]]
    chunk: list[str] = []
    need = size - draft.sizes[-1]
    length = 0
    while length < need:
        sentence = rng.choice(pool)
        chunk.append(sentence)
        length += len(sentence) + 1
    draft.text(" " + " ".join(chunk))


def _long(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str], huge: bool) -> str:
    sep = _word_sep(rng, spec.wordlist)
    if huge:
        _pad_to(draft, rng, HUGE_CHARS + rng.randint(0, 20_000))
        draft.text(_gap(rng) + _intro(rng, spec.lang) + " ")
        draft.words(words, sep)
        return "end_of_100k"
    if rng.random() < 0.5:
        draft.text(_fill(rng, spec.lang) + " ")
    draft.text(_intro(rng, spec.lang) + " ")
    draft.words(words, sep)
    _pad_to(draft, rng, LONG_CHARS)
    return "start_of_30k"


# --- the corpus -----------------------------------------------------------------------------------

_KEY_SHARE = {"html": 8, "conversation": 7, "lines": 10, "spacing": 8, "invisible": 7, "lookalike": 10,
              "partial": 20, "long": 5}
"""Every n-th case of these classes is a key written that class's way."""

_LIST_POOLS = {
    "lookalike": (*LATIN_LISTS, "russian", "english", "russian"),
    "camelcase": CASED_LISTS,
    "chinese": HAN_LISTS,
}


def _phrase_case(cls: str, spec: _Spec, rng: random.Random, huge: bool) -> AttackCase:
    draft = _Draft()
    words = phrase(rng, spec.wordlist, spec.length)
    present = words
    mode = "text"
    if cls == "plain":
        variant = _plain(spec, rng, draft, words)
    elif cls == "html":
        variant = _html(spec, rng, draft, words)
    elif cls == "labels":
        variant = _labels(spec, rng, draft, words)
    elif cls == "partial":
        variant, present = _partial(spec, rng, draft, words)
    elif cls == "spacing":
        variant = _spacing(spec, rng, draft, words)
    elif cls == "invisible":
        variant = _invisible(spec, rng, draft, words)
    elif cls == "lookalike":
        variant = _lookalike_words(spec, rng, draft, words)
    elif cls == "camelcase":
        variant = _camel(spec, rng, draft, words)
    elif cls == "chinese":
        variant = _chinese(spec, rng, draft, words)
    elif cls == "long":
        variant = _long(spec, rng, draft, words, huge)
    elif cls == "conversation":
        mode = "conversation"
        variant = _conversation(spec, rng, draft, words)
    elif cls == "lines":
        mode = "lines"
        variant = _lines(spec, rng, draft, words)
    else:
        raise ValueError(cls)
    return _case(cls, spec.index, draft, "recovery_phrase", present, mode, spec.wordlist, variant)


def _conversation(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    lang = spec.lang
    for _ in range(rng.randint(1, 3)):
        draft.text(_fill(rng, lang, 1, 2))
        draft.new_message()
    chunks = rng.randint(2, 4)
    cuts = sorted(rng.sample(range(2, len(words) - 1), chunks - 1))
    bounds = [0, *cuts, len(words)]
    sep = _word_sep(rng, spec.wordlist)
    for i in range(chunks):
        if i == 0 and rng.random() < 0.6:
            draft.text(_intro(rng, lang) + " ")
        elif i > 0 and rng.random() < 0.3:
            draft.text(rng.choice(CONTINUE[lang]) + " ")
        draft.words(words[bounds[i]:bounds[i + 1]], sep)
        draft.new_message()
    for _ in range(rng.randint(0, 2)):
        draft.text(_fill(rng, lang, 1, 2))
        draft.new_message()
    return f"chunks_{chunks}"


def _lines(spec: _Spec, rng: random.Random, draft: _Draft, words: list[str]) -> str:
    lang = spec.lang
    variant = rng.choice(("bare", "numbered", "trailing_comma", "capitalized"))
    for _ in range(rng.randint(1, 3)):
        draft.text(_fill(rng, lang, 1, 1))
        draft.new_message()
    if rng.random() < 0.6:
        draft.text(_intro(rng, lang))
        draft.new_message()
    for n, word in enumerate(words, 1):
        if variant == "numbered":
            draft.text(rng.choice((f"{n}. ", f"{n}) ", f"{n} ")))
        draft.piece(word.capitalize() if variant == "capitalized" else word)
        if variant == "trailing_comma":
            draft.text(",")
        draft.new_message()
    for _ in range(rng.randint(0, 2)):
        draft.text(_fill(rng, lang, 1, 1))
        draft.new_message()
    return variant


def _class_cases(cls: str, count: int, seed: int) -> list[AttackCase]:
    rng = random.Random(f"guard-attacks-{seed}-{cls}")
    cases: list[AttackCase] = []
    if cls == "keys":
        for index in range(count):
            variant = KEY_VARIANTS[index % len(KEY_VARIANTS)]
            cases.append(_key_case(cls, index, rng, variant, LANGS[(index // len(KEY_VARIANTS)) % len(LANGS)]))
        return cases
    pool = _LIST_POOLS.get(cls, WORDLISTS)
    huge = min(HUGE_CASES, max(1, count // 4)) if cls == "long" else 0
    huge_lists = ("english", "chinese_simplified", "russian", "spanish", "japanese")
    for index in range(count):
        share = _KEY_SHARE.get(cls)
        if share and index % share == share - 1 and index >= huge:
            lang = rng.choice(LANGS)
            if cls in ("conversation", "lines"):
                cases.append(_key_split_case(cls, index, rng, lang))
            else:
                cases.append(_hex_obfuscated(cls, index, rng, lang))
            continue
        wordlist = huge_lists[index % len(huge_lists)] if index < huge else pool[index % len(pool)]
        length = rng.choice(_LENGTH_CHOICES)
        if cls == "partial" and length < 12:
            length = 12
        spec = _Spec(index, wordlist, length, _lang_for(rng, wordlist))
        cases.append(_phrase_case(cls, spec, rng, index < huge))
    return cases


def generate(seed: int = 12, per_class: int | None = None) -> list[AttackCase]:
    """The attack corpus: every class of ``CLASSES``, ``per_class`` cases each (default ``DEFAULT_COUNTS``)."""
    cases: list[AttackCase] = []
    for cls in CLASSES:
        cases.extend(_class_cases(cls, DEFAULT_COUNTS[cls] if per_class is None else per_class, seed))
    return cases


# --- negatives ------------------------------------------------------------------------------------


def _negative_texts(cls: str, rng: random.Random, lang: str) -> str:
    if cls in ("txid", "tx_0x"):
        value = rng.randbytes(32).hex()
        if cls == "tx_0x":
            value = "0x" + value
        return rng.choice(TRANSFER[lang]).format(h=value)
    if cls == "explorer_link":
        if rng.random() < 0.15:
            url = "https://solscan.io/tx/" + b58encode(rng.randbytes(64))
        else:
            url = rng.choice(EXPLORERS).format(h=rng.randbytes(32).hex())
        return LINK_FRAMES[lang].format(u=url)
    if cls == "address":
        kind = rng.choice(("eth", "tron", "btc", "bech32", "sol", "ss58"))
        if kind == "eth":
            address = "0x" + rng.randbytes(20).hex()
        elif kind == "tron":
            address = b58check(b"\x41" + rng.randbytes(20))
        elif kind == "btc":
            address = b58check(b"\x00" + rng.randbytes(20))
        elif kind == "bech32":
            address = "bc1q" + "".join(rng.choice("qpzry9x8gf2tvdw0s3jn54khce6mua7l") for _ in range(38))
        elif kind == "sol":
            address = b58encode(rng.randbytes(32))
        else:
            address = b58encode(bytes([42]) + rng.randbytes(34))
        return _fill(rng, lang, 0, 1) + " " + rng.choice(ADDRESS_FRAMES[lang]).format(a=address)
    if cls == "order_number":
        number = rng.choice((str(rng.randrange(10**8, 10**12)), f"2024{rng.randrange(10**9, 10**10)}",
                             f"{rng.randrange(10**5, 10**6)}-{rng.randrange(10**4, 10**5)}"))
        return rng.choice(ORDER_FRAMES[lang]).format(n=number)
    if cls == "steps":
        steps = STEPS[lang]
        chosen = steps[: rng.randint(3, len(steps))]
        style = NUMBERING[rng.choice(("dot", "paren", "hash", "dash"))]
        return _fill(rng, lang, 1, 1) + "\n" + rng.choice(("\n", " ")).join(
            style(n) + step for n, step in enumerate(chosen, 1))
    if cls == "filler":
        return ("" if lang == "zh" else " ").join(rng.sample(FILLER[lang], rng.randint(3, 10)))
    raise ValueError(cls)


def negatives(seed: int = 12) -> list[tuple[str, str]]:
    """(class, text) that must come through the guard with no finding: at least 300."""
    out: list[tuple[str, str]] = []
    for cls in NEGATIVE_CLASSES:
        rng = random.Random(f"guard-negatives-{seed}-{cls}")
        for index in range(60):
            out.append((cls, _negative_texts(cls, rng, LANGS[index % len(LANGS)])))
    return out
