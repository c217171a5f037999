/**
 * Word lists for the synthetic dataset: names (Japanese romanised with and without macrons,
 * a few in kanji, European names with accents), title words in English, romaji and Japanese,
 * studios, platforms, tags, and the prose that review bodies are made of.
 */

// ── People ──────────────────────────────────────────────────────────────────────────────

/** Japanese given names, romanised as credits write them (some with macrons). */
export const GIVEN_JA = [
  'Ichirō', 'Hiroyasu', 'Yōko', 'Shin\'ichirō', 'Mamoru', 'Satoshi', 'Naoko', 'Makoto', 'Hayao', 'Isao', 'Mari', 'Kenji',
  'Yūko', 'Sayo', 'Tomoko', 'Kōji', 'Rie', 'Takeshi', 'Kazuki', 'Akane', 'Shūhei', 'Jun', 'Keiko', 'Ryō', 'Yuki', 'Haruka',
  'Daisuke', 'Masaaki', 'Kunihiko', 'Atsuko', 'Ayumi', 'Kōichi', 'Sōta', 'Rin', 'Emi', 'Noboru', 'Yasuhiro', 'Tetsurō',
  'Chiaki', 'Hideaki', 'Mitsuo', 'Yoshiyuki', 'Michiko', 'Kōsuke', 'Junko', 'Hisaki', 'Kaori', 'Takahiro', 'Shōji',
  'Yutaka', 'Megumi', 'Rina', 'Kentarō', 'Yūji', 'Sachiko', 'Hiroshi', 'Akira', 'Hajime', 'Natsuki', 'Tatsuya', 'Osamu',
  'Eiko', 'Shinji', 'Kyōko', 'Nobuo', 'Reiko', 'Gorō', 'Ayako', 'Shinya', 'Mayumi', 'Tōru', 'Masahiro', 'Kanako',
];

export const FAMILY_JA = [
  'Ōkouchi', 'Aoki', 'Satō', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Itō', 'Yamamoto', 'Nakamura', 'Kobayashi',
  'Katō', 'Yoshida', 'Yamada', 'Sasaki', 'Yamaguchi', 'Matsumoto', 'Inoue', 'Kimura', 'Hayashi', 'Shimizu', 'Yamazaki',
  'Mori', 'Abe', 'Ikeda', 'Hashimoto', 'Ishikawa', 'Ogawa', 'Okada', 'Gotō', 'Hasegawa', 'Murakami', 'Kondō', 'Ishii',
  'Saitō', 'Sakamoto', 'Endō', 'Fujita', 'Ōno', 'Kaneko', 'Kawamoto', 'Nishimura', 'Fukuda', 'Ōta', 'Miura', 'Fujii',
  'Okamoto', 'Matsuda', 'Nakagawa', 'Nakano', 'Harada', 'Ono', 'Tamura', 'Takeuchi', 'Kaneda', 'Wada', 'Nakayama',
  'Ishida', 'Ueda', 'Morita', 'Hara', 'Shibata', 'Sakai', 'Kudō', 'Yokoyama', 'Miyazaki', 'Miyamoto', 'Uchida', 'Takagi',
  'Andō', 'Taniguchi', 'Ōshima', 'Maruyama', 'Imai', 'Takada', 'Fujiwara', 'Takeda', 'Murata', 'Ueno', 'Sugiyama',
];

/** Syllables for procedurally made Japanese-looking names, so 30,000 people can all differ. */
export const GIVEN_HEAD = ['A', 'Ka', 'Ki', 'Ko', 'Sa', 'Shi', 'Ta', 'To', 'Na', 'No', 'Ha', 'Hi', 'Ma', 'Mi', 'Yo', 'Yu', 'Ri', 'Ryō', 'Shō', 'Kō', 'Yū', 'Ei', 'Ke', 'Mo', 'Chi', 'Fu'];
export const GIVEN_TAIL = ['ko', 'mi', 'ka', 'rō', 'ta', 'ki', 'hiko', 'hiro', 'shi', 'ya', 'suke', 'nori', 'o', 'to', 'e', 'haru', 'mune', 'taka', 'yuki', 'kazu'];
export const FAMILY_HEAD = ['Yama', 'Naka', 'Taka', 'Matsu', 'Ishi', 'Kawa', 'Ta', 'Fuji', 'Ō', 'Mori', 'Haya', 'Ino', 'Kita', 'Minami', 'Aki', 'Hoshi', 'Tsuki', 'Kuro', 'Shira', 'Ao', 'Sugi', 'Hira', 'Kami', 'Shimo'];
export const FAMILY_TAIL = ['moto', 'mura', 'kawa', 'da', 'no', 'shita', 'uchi', 'hara', 'saki', 'bayashi', 'yama', 'zawa', 'oka', 'kubo', 'ta', 'gawa', 'numa', 'tsu', 'gaki', 'mizu'];

export const GIVEN_EU = [
  'Jean-Luc', 'Sofía', 'Zoë', 'François', 'Agnès', 'Björn', 'Mateo', 'Chloé', 'Emily', 'James', 'Anna', 'Lukas', 'Marta',
  'Camille', 'Théo', 'Noémie', 'Søren', 'Łukasz', 'Renée', 'Raúl', 'Inês', 'João', 'Åsa', 'Célestine', 'Dvořák', 'Miloš',
  'Ségolène', 'Jürgen', 'Ana', 'Olivia', 'Daniel', 'Sarah', 'Michael', 'Laura', 'Pedro', 'Giulia', 'Niamh', 'Siobhán',
];
export const FAMILY_EU = [
  'Dubois', 'García', 'Müller', 'Nováková', 'Jørgensen', 'Kowalski', 'O\'Brien', 'Fernández', 'Lefèvre', 'Rossi',
  'Schäfer', 'Martínez', 'Leclerc', 'Åkesson', 'Brontë', 'Gonçalves', 'Šimek', 'Lindqvist', 'Moreau', 'Núñez', 'Ferrari',
  'Smith', 'Johnson', 'Brown', 'Davies', 'Novak', 'Horváth', 'Kovačević', 'Petersen', 'Girard', 'Bianchi', 'Łopez',
];

/** A few people credited in kanji, as a Japanese source would write them; the slug comes from the reading. */
export const KANJI_PEOPLE: [string, string][] = [
  ['宮崎 駿', 'Miyazaki Hayao'],
  ['押井 守', 'Oshii Mamoru'],
  ['今 敏', 'Kon Satoshi'],
  ['高畑 勲', 'Takahata Isao'],
  ['新海 誠', 'Shinkai Makoto'],
  ['細田 守', 'Hosoda Mamoru'],
  ['湯浅 政明', 'Yuasa Masaaki'],
  ['庵野 秀明', 'Anno Hideaki'],
  ['渡辺 信一郎', 'Watanabe Shinichiro'],
  ['幾原 邦彦', 'Ikuhara Kunihiko'],
  ['山田 尚子', 'Yamada Naoko'],
  ['大河内 一楼', 'Okouchi Ichiro'],
  ['沖浦 啓之', 'Okiura Hiroyuki'],
  ['片渕 須直', 'Katabuchi Sunao'],
  ['原 恵一', 'Hara Keiichi'],
  ['菅野 よう子', 'Kanno Yoko'],
  ['久石 譲', 'Hisaishi Joe'],
  ['梶浦 由記', 'Kajiura Yuki'],
  ['川井 憲次', 'Kawai Kenji'],
  ['澤野 弘之', 'Sawano Hiroyuki'],
];

// ── Titles ──────────────────────────────────────────────────────────────────────────────

export const EN_ADJ = [
  'Quiet', 'Last', 'Crimson', 'Silver', 'Hollow', 'Endless', 'Forgotten', 'Broken', 'Golden', 'Distant', 'Wandering',
  'Burning', 'Frozen', 'Secret', 'Little', 'Wild', 'Electric', 'Gentle', 'Violet', 'Midnight', 'Paper', 'Glass',
  'Iron', 'Lonely', 'Bright', 'Falling', 'Sleeping', 'Hidden', 'Scarlet', 'Blue', 'Winter', 'Summer', 'Autumn',
  'Spring', 'Ancient', 'Restless', 'Neon', 'Final', 'First', 'Second', 'Rising', 'Shattered', 'Strange', 'Beautiful',
];
export const EN_NOUN = [
  'Star', 'Garden', 'Sky', 'Sword', 'Moon', 'River', 'City', 'Heart', 'Dream', 'Voice', 'Shadow', 'Flower', 'Sea',
  'Journey', 'Girl', 'Boy', 'Witch', 'Knight', 'Machine', 'Ghost', 'Dragon', 'Letter', 'Promise', 'Summer', 'Tower',
  'Forest', 'Island', 'Train', 'Station', 'Song', 'Fire', 'Rain', 'Snow', 'Wind', 'Light', 'Night', 'Memory', 'World',
  'Kingdom', 'Empire', 'Signal', 'Horizon', 'Orbit', 'Crown', 'Mask', 'Wolf', 'Fox', 'Cat', 'Bird', 'Engine', 'Door',
  'Bridge', 'Lantern', 'Harbor', 'Clock', 'Planet', 'Ocean', 'Mirror', 'Labyrinth', 'Circus', 'Academy', 'Diary',
];
export const EN_NAMES = ['Hana', 'Kaito', 'Mira', 'Sora', 'Ren', 'Aoi', 'Eli', 'Nora', 'Yuki', 'Theo', 'Lena', 'Kei', 'Maya', 'Iris'];

export const ROMAJI_NOUN = [
  'Hoshi', 'Tsuki', 'Kaze', 'Sora', 'Umi', 'Hana', 'Yoru', 'Yume', 'Hikari', 'Ame', 'Sakura', 'Mori', 'Machi', 'Kage',
  'Hi', 'Yuki', 'Tetsu', 'Neko', 'Ryū', 'Tsurugi', 'Kokoro', 'Koe', 'Tabi', 'Kimi', 'Boku', 'Watashi', 'Shōjo', 'Shōnen',
  'Tōkyō', 'Ōsaka', 'Kyōto', 'Ryūsei', 'Kōen', 'Gakkō', 'Sensō', 'Heiwa', 'Mirai', 'Kako', 'Kioku', 'Tegami', 'Yakusoku',
  'Natsu', 'Fuyu', 'Haru', 'Aki', 'Kawa', 'Yama', 'Shima', 'Densha', 'Eki', 'Uta', 'Hōseki', 'Kamisama', 'Majo', 'Kishi',
];
export const ROMAJI_VERB = ['Kaeru', 'Nemuru', 'Utau', 'Tobu', 'Hashiru', 'Furu', 'Saku', 'Kieru', 'Matsu', 'Aruku', 'Warau', 'Naku', 'Tatakau', 'Mamoru'];
export const ROMAJI_ADJ = ['Tōi', 'Aoi', 'Akai', 'Shiroi', 'Kuroi', 'Chiisana', 'Ōkina', 'Atarashii', 'Furui', 'Yasashii', 'Samishii', 'Utsukushii'];

export const KANJI_WORD: [string, string][] = [
  ['星', 'Hoshi'], ['月', 'Tsuki'], ['風', 'Kaze'], ['空', 'Sora'], ['海', 'Umi'], ['花', 'Hana'], ['夜', 'Yoru'], ['夢', 'Yume'],
  ['光', 'Hikari'], ['雨', 'Ame'], ['桜', 'Sakura'], ['森', 'Mori'], ['街', 'Machi'], ['影', 'Kage'], ['火', 'Hi'], ['雪', 'Yuki'],
  ['鉄', 'Tetsu'], ['猫', 'Neko'], ['龍', 'Ryū'], ['剣', 'Tsurugi'], ['心', 'Kokoro'], ['声', 'Koe'], ['旅', 'Tabi'], ['君', 'Kimi'],
  ['約束', 'Yakusoku'], ['手紙', 'Tegami'], ['記憶', 'Kioku'], ['未来', 'Mirai'], ['少女', 'Shōjo'], ['魔女', 'Majo'], ['東京', 'Tōkyō'],
];
export const KANA_TITLE = ['ヒーローマスク', 'ソラノオト', 'ほしのこえ', 'ねこのまち', 'あめふり', 'スターライト', 'ミライノート', 'ゆめみるきかい'];

export const SEQUEL = [' 2', ' II', ' Season 2', ' Season 3', ': The Movie', ' Zero', ' Final Season', ' Kanketsu-hen', ': Part 2', ' OVA'];

// ── Things works link to ────────────────────────────────────────────────────────────────

export const STUDIO_WORDS = [
  'Kaze', 'Hoshi', 'Sakura', 'Tsubasa', 'Aurora', 'Lantern', 'Blue Heron', 'Kumo', 'Ginga', 'Hikari', 'Yoake', 'Tōmei',
  'Orca', 'Comet', 'Mizuiro', 'Kōgen', 'Red Kite', 'Silverline', 'Moonrise', 'Pinwheel', 'Ōzora', 'Hinata', 'Kuroneko',
  'Paper Plane', 'Fennec', 'Sunbeam', 'Tanuki', 'Kitsune', 'Ember', 'Atelier Ao', 'Shirokuma', 'Harbor Light', 'Seiun',
  'Akatsuki', 'Kairos', 'Nebula', 'Wisteria', 'Kamome', 'Tsubame', 'Ginkgo', 'Pixel Garden', 'Raijin', 'Fūjin', 'Hotaru',
  'Meteor', 'Quill', 'Kagerō', 'Sazanami', 'Northwind', 'Cobalt', 'Umbra', 'Verdant', 'Kōyō', 'Rōsoku', 'Mugen', 'Ikaruga',
];
export const STUDIO_FORMS = ['Studio {w}', '{w} Animation', '{w} Pictures', '{w} Works', 'Production {w}', '{w} Films', '{w} Lab', '{w} Studio', 'Team {w}', '{w} Entertainment', 'Atelier {w}', '{w} Motion', '{w} Creative', '{w} & Co.'];

export const PLATFORMS = [
  'Crunchyroll', 'Netflix', 'Hulu', 'HIDIVE', 'Prime Video', 'Disney+', 'Max', 'Apple TV+', 'Blu-ray', 'DVD', 'Cinema',
  'Funimation', 'RetroCrush', 'Tubi', 'Mubi', 'Criterion Channel', 'YouTube', 'Bilibili', 'ADN', 'Wakanim', 'Animax',
  'U-Next', 'd Anime Store', 'Abema', 'Paramount+', 'Peacock', 'Shudder', 'Kanopy', 'Pluto TV', 'VRV', 'AnimeLab',
  'Viki', 'iQIYI', 'Rakuten TV', 'Canal+', 'Arte', 'BBC iPlayer', 'Stan', 'Crave', 'Laserdisc',
];

export const TAGS = [
  'Action', 'Adventure', 'Comedy', 'Drama', 'Fantasy', 'Horror', 'Mecha', 'Mystery', 'Romance', 'Sci-Fi', 'Slice of Life',
  'Sports', 'Supernatural', 'Thriller', 'Psychological', 'Music', 'Isekai', 'Iyashikei', 'Historical', 'Military', 'Space',
  'Cyberpunk', 'Post-Apocalyptic', 'School', 'Coming of Age', 'Family', 'Food', 'Magical Girl', 'Martial Arts', 'Detective',
  'Crime', 'Samurai', 'Idol', 'Time Travel', 'Shōnen', 'Shōjo', 'Seinen', 'Josei', 'Parody', 'Satire', 'Tragedy',
  'Survival', 'Workplace', 'Medical', 'Vampires', 'Ghosts', 'Robots', 'Dystopia', 'Anthology', 'Documentary', 'Noir',
  'Western', 'Musical', 'War', 'Spy', 'Heist', 'Road Movie', 'Stop Motion', 'Surreal', 'Mythology',
];

// ── Prose ───────────────────────────────────────────────────────────────────────────────

export const R_NOUN = [
  'animation', 'pacing', 'soundtrack', 'score', 'direction', 'script', 'protagonist', 'villain', 'cast', 'ending', 'opening',
  'finale', 'first episode', 'second half', 'climax', 'premise', 'world-building', 'character design', 'art direction',
  'voice acting', 'dub', 'sub', 'colour palette', 'background art', 'fight choreography', 'dialogue', 'humour', 'tone',
  'source material', 'adaptation', 'middle arc', 'side cast', 'romance', 'mystery', 'twist', 'flashback', 'montage',
  'camera work', 'editing', 'sound design', 'theme song', 'insert song', 'storyboard', 'framing', 'lighting', 'CG',
  'key animation', 'production', 'runtime', 'filler', 'recap episode', 'cliffhanger', 'epilogue', 'prologue', 'chemistry',
];
export const R_ADJ = [
  'gorgeous', 'uneven', 'breathtaking', 'clumsy', 'restrained', 'overwrought', 'tender', 'messy', 'confident', 'lazy',
  'ambitious', 'forgettable', 'haunting', 'charming', 'tedious', 'sharp', 'muddled', 'delicate', 'bold', 'predictable',
  'surprising', 'earnest', 'cynical', 'warm', 'cold', 'fluid', 'stiff', 'lush', 'sparse', 'melancholic', 'hilarious',
  'unforgettable', 'bloated', 'tight', 'generous', 'clever', 'heavy-handed', 'subtle', 'loud', 'quiet', 'strange',
];
export const R_VERB = [
  'carries', 'drags down', 'elevates', 'undercuts', 'rescues', 'sinks', 'holds up', 'falls apart in', 'shines in',
  'stumbles in', 'redeems', 'overwhelms', 'complements', 'betrays', 'deepens', 'flattens', 'sells', 'wastes', 'earns',
];
export const R_ADV = ['beautifully', 'barely', 'almost', 'quietly', 'completely', 'surprisingly', 'occasionally', 'consistently', 'never quite', 'effortlessly', 'stubbornly'];
export const R_OPEN = [
  'Honestly,', 'To be fair,', 'By the end,', 'At first,', 'In hindsight,', 'Somehow,', 'Still,', 'Then again,', 'For what it is worth,',
  'Against all odds,', 'Without spoiling much,', 'On a rewatch,', 'Frankly,', 'In the best way,',
];
export const R_FILLER = [
  'I did not expect to care this much.',
  'It is the kind of show you recommend with a caveat.',
  'The episode count feels exactly right.',
  'Some scenes linger long after the credits.',
  'It never quite decides what it wants to be.',
  'Every frame looks like it was painted by hand.',
  'I watched it twice in one week.',
  'The middle stretch tested my patience.',
  'It wears its influences on its sleeve.',
  'Nobody talks about how funny it is.',
  'The last ten minutes are worth the whole thing.',
  'It is better than its reputation suggests.',
  'You can feel the budget running out near the end.',
  'The quiet moments are where it really works.',
];
export const SPOILER_LINES = [
  'the mentor dies in the second act',
  'the whole story was a simulation all along',
  'the two leads turn out to be siblings',
  'the final episode resets the timeline',
  'the villain was the narrator from the start',
  'nobody survives the last battle',
  'the cat was the god of the city',
  'the letter was never sent',
];
export const HEADLINE_FORMS = [
  '{Adj} and {adj}', 'A {adj} {noun} saves it', 'The {noun} is the star', 'Worth it for the {noun}', 'Not quite {adj}',
  '{Adj}, but the {noun} is {adj}', 'A {adj} surprise', 'Great {noun}, {adj} {noun2}', 'Skip the {noun}', 'Why the {noun} matters',
];
