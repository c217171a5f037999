import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parsePlainText, PlainTextParseError } from './plaintext.parser.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function parseFixture(name: string) {
  return parsePlainText(fixture(name), { filename: name });
}

function paragraphs(body: string): string[] {
  return body.split('\n\n');
}

describe('the layout of the original example: title, paragraphs, info block at the bottom', () => {
  const { work, review, warnings } = parseFixture('bottom-block.txt');

  it('reads the work from the info block', () => {
    expect(work).toEqual({
      title: 'Mob Psycho 100',
      altTitles: [],
      kind: 'anime_series',
      year: 2016,
      synopsis: null,
      credits: [
        { role: 'director', name: 'Yuzuru Tachikawa' },
        { role: 'writer', name: 'Hiroshi Seko' },
        { role: 'music', name: 'Kenji Kawai' },
      ],
      studios: ['Bones'],
      platforms: ['Crunchyroll'],
      tags: [],
      externalIds: {},
    });
  });

  it('reads the final score, which agrees with the last paragraph', () => {
    expect(review.score).toEqual({ value: 4.5, max: 5 });
    expect(review.scoreText).toBe('4.5 out of 5');
    expect(review.rating).toBe(90);
    expect(warnings.some((w) => w.includes('kept the score line'))).toBe(false);
  });

  it('keeps every paragraph, joins the one split mid-sentence, and drops the info block', () => {
    const body = paragraphs(review.body);
    expect(body).toHaveLength(4);
    expect(body[0]).toMatch(/^Let me start by saying .* the warmest thing I watched all year\.$/u);
    expect(body[2]).toMatch(/^It is not perfect\. .* by episode six\.$/u);
    expect(body[3]).toBe(
      'I gave Mob Psycho 100 a 4.5 out of 5 because it made me care about a boy who barely speaks, and because every time I thought it was just a fighting show it turned into something kinder. If you have a free weekend and a Crunchyroll account, watch it.',
    );
    expect(review.body).not.toMatch(/Director|Final Score|Anime Year of Release|Watch It On/u);
    expect(warnings).toContainEqual(expect.stringMatching(/^line 11: joined a paragraph that stops mid-sentence/u));
  });

  it('hides the rest of the paragraph after a spoiler warning, leaving the warning visible', () => {
    expect(review.hasSpoilers).toBe(true);
    expect(paragraphs(review.body)[1]).toBe(
      "The animation is where the show flexes. Whenever Mob's emotions climb toward 100%, the art style goes completely loose, with paint-like smears, colour shifts and frames that look drawn on paper. (Heads up, spoilers for the final arc in the next couple of sentences) ||Mob's last fight is not won with his powers at all: he walks away from it, and Reigen finally makes a confession with nothing fake in it.||",
    );
  });

  it('says that the kind was inferred', () => {
    expect(warnings).toContainEqual(expect.stringContaining('imported as anime_series'));
    expect(review.status).toBe('published');
    expect(review.headline).toBeNull();
  });
});

describe('info block on top, dash separators, emphasis, headline and TL;DR', () => {
  const { work, review, warnings } = parseFixture('top-block-dashes.txt');

  it('strips emphasis and the "— Review" suffix from the title', () => {
    expect(work.title).toBe('Cowboy Bebop');
  });

  it('reads labels with en-dash, em-dash, colon and spaced-hyphen separators', () => {
    expect(work.credits).toEqual([
      { role: 'director', name: 'Shinichirō Watanabe' },
      { role: 'writer', name: 'Keiko Nobumoto' },
      { role: 'music', name: 'Yoko Kanno' },
      { role: 'original_creator', name: 'Hajime Yatate' },
      { role: 'character_design', name: 'Toshihiro Kawamoto' },
    ]);
    expect(work.studios).toEqual(['Sunrise']);
    expect(work.platforms).toEqual(['Crunchyroll', 'Hulu']);
    expect(work.year).toBe(1998);
    expect(work.tags).toEqual(['Sci-Fi', 'Space western', 'Noir', 'Jazz']);
  });

  it('takes "Type – TV" as anime because the review calls it anime, and says so', () => {
    expect(work.kind).toBe('anime_series');
    expect(warnings).toContainEqual(expect.stringContaining('the review calls it anime'));
  });

  it('reads the headline, the TL;DR and the bold rating line', () => {
    expect(review.headline).toBe('Twenty-six sessions of the coolest show ever made');
    expect(review.summary).toBe('Still the anime I recommend to people who say they do not like anime.');
    expect(review.score).toEqual({ value: 9, max: 10 });
    expect(review.rating).toBe(90);
  });

  it('drops unknown info lines with a warning and leaves no separators or labels in the body', () => {
    expect(warnings).toContainEqual('line 13: ignored "Episodes: 26" (not a label Kansou knows)');
    const body = paragraphs(review.body);
    expect(body).toHaveLength(3);
    expect(body[0]).toMatch(/^Spike Spiegel is a bounty hunter/u);
    expect(body[2]).toMatch(/not to fix that for them\.$/u);
    expect(review.body).not.toMatch(/---|Rating|Directed by|TL;DR/u);
  });
});

describe('Markdown with YAML front matter', () => {
  const { work, review, warnings } = parseFixture('front-matter.md');

  it('reads the work from the front matter', () => {
    expect(work).toEqual({
      title: "Frieren: Beyond Journey's End",
      altTitles: [
        { title: 'Sousou no Frieren', type: 'romaji' },
        { title: '葬送のフリーレン', type: 'original' },
        { title: 'Frieren', type: 'other' },
      ],
      kind: 'anime_series',
      year: 2023,
      synopsis: null,
      credits: [
        { role: 'director', name: 'Keiichirō Saitō' },
        { role: 'writer', name: 'Tomohiro Suzuki' },
        { role: 'music', name: 'Evan Call' },
      ],
      studios: ['Madhouse'],
      platforms: ['Crunchyroll'],
      tags: ['fantasy', 'drama', 'adventure'],
      externalIds: { mal: '52991', anilist: '154587' },
    });
  });

  it('reads the review fields, the numeric rating with its scale, and the draft flag', () => {
    expect(review).toMatchObject({
      headline: 'The fantasy anime that takes its time',
      summary: 'A slow, kind show about what a long life costs.',
      score: { value: 9, max: 10 },
      rating: 90,
      publishedAt: '2024-03-30',
      status: 'draft',
      hasSpoilers: false,
    });
  });

  it('drops the heading that repeats the title and keeps the Markdown as written', () => {
    expect(review.body.startsWith('Most fantasy stories end when the demon king falls. *Frieren* starts there')).toBe(true);
    expect(review.body).toContain('\n\n## Why it works\n\n- The **pacing** trusts you');
    expect(review.body).toContain('- Flashbacks are short and land exactly when the present needs them.\n- The fights');
    expect(review.body.endsWith('only a few of them earn the time.')).toBe(true);
    expect(review.body).not.toContain('# Frieren');
  });

  it('warns about front-matter keys it does not know', () => {
    expect(warnings).toEqual(['front matter: ignored unknown key "layout"']);
  });
});

describe('spoiler markup from other platforms', () => {
  const { work, review } = parseFixture('spoiler-markup.md');

  it('rewrites ||…||, >!…!<, ~!…!~ and [spoiler]…[/spoiler] to the canonical inline form', () => {
    const body = paragraphs(review.body);
    expect(body[0]).toContain('the first thing the show tells you is that ||his father only called him back to pilot Unit-01||.');
    expect(body[1]).toContain('pulling its own world apart: ||Rei is not who she seems||, and nobody at NERV');
    expect(body[2]).toBe('Later arrivals change the tone again. ||Kaworu is the seventeenth angel||, and his few scenes with Shinji are the tenderest in the series.');
    expect(body[3]).toContain('I will not describe ||her breakdown in the bath|| in any more detail');
    expect(review.body).not.toMatch(/>!|!<|~!|!~|\[\/?spoiler/u);
    expect(review.hasSpoilers).toBe(true);
  });

  it('turns a labelled multi-paragraph [spoiler] into a canonical block with its label', () => {
    expect(review.body.endsWith(
      '::: spoiler The last two episodes\n' +
        "Episode 25 abandons the plot for a therapy session inside Shinji's head, built from sketches, text cards and still frames.\n\n" +
        'Episode 26 ends with a classroom, applause and the word congratulations.\n:::',
    )).toBe(true);
  });

  it('still reads the info block and score', () => {
    expect(work).toMatchObject({ title: 'Neon Genesis Evangelion', kind: 'anime_series', year: 1995, studios: ['Gainax'] });
    expect(review.score).toEqual({ value: 8, max: 10 });
  });
});

describe('"SPOILER ALERT: from here on" over several paragraphs', () => {
  const { work, review } = parseFixture('spoiler-alert-rest.txt');

  it('wraps everything up to "End of spoilers" in a block and keeps the warning and the marker visible', () => {
    expect(paragraphs(review.body)).toEqual([
      expect.stringMatching(/^The first eleven episodes are slow/u),
      'SPOILER ALERT: from here on I talk about the second half and the ending.',
      expect.stringMatching(/^::: spoiler\nEpisode 12 is the turn\./u),
      expect.stringMatching(/^The time loops that follow .* cheap trick\.\n:::$/su),
      'End of spoilers. If you can sit through the slow start, this is one of the best thrillers the medium has.',
    ]);
    expect(review.hasSpoilers).toBe(true);
  });

  it('splits "A and B" credits, reads "Aired: April 2011" and "Format: TV anime"', () => {
    expect(work.credits.filter((c) => c.role === 'director').map((c) => c.name)).toEqual(['Hiroshi Hamasaki', 'Takuya Satō']);
    expect(work.year).toBe(2011);
    expect(work.kind).toBe('anime_series');
    expect(work.title).toBe('Steins;Gate');
  });

  it('takes the score from a Verdict line', () => {
    expect(review.score).toEqual({ value: 10, max: 10 });
    expect(review.rating).toBe(100);
  });
});

describe('star glyphs and a film with the year in its title', () => {
  const { work, review, warnings } = parseFixture('star-glyphs.txt');

  it('reads ★★★½ as 3.5 out of 5', () => {
    expect(review.score).toEqual({ value: 3.5, max: 5 });
    expect(review.scoreText).toBe('★★★½');
    expect(review.rating).toBe(70);
  });

  it('takes the year from a "(2001)" title suffix and the kind from "Type: Anime film"', () => {
    expect(work.title).toBe('Spirited Away');
    expect(work.year).toBe(2001);
    expect(work.kind).toBe('anime_film');
    expect(work.studios).toEqual(['Studio Ghibli']);
    expect(work.platforms).toEqual(['Netflix', 'Max']);
    expect(warnings).toEqual([]);
  });
});

describe('a score only in the last paragraph', () => {
  const { work, review, warnings } = parseFixture('prose-score.txt');

  it('reads "I\'d give it a 7 out of 10" and says where it came from', () => {
    expect(review.score).toEqual({ value: 7, max: 10 });
    expect(review.scoreText).toBe('7 out of 10');
    expect(review.rating).toBe(70);
    expect(warnings).toEqual(['no score line; took the score "7 out of 10" from the last paragraph']);
    expect(review.body.endsWith("I'd give it a 7 out of 10 for sheer ambition.")).toBe(true);
  });

  it('reads a live-action series with two creators joined by "&"', () => {
    expect(work).toMatchObject({
      title: 'Dark',
      kind: 'series',
      year: 2017,
      credits: [
        { role: 'original_creator', name: 'Baran bo Odar' },
        { role: 'original_creator', name: 'Jantje Friese' },
      ],
      platforms: ['Netflix'],
      tags: ['Science fiction', 'Mystery', 'Thriller'],
    });
  });
});

describe('a letter grade', () => {
  const { work, review, warnings } = parseFixture('letter-grade.txt');

  it('imports without a score and says why', () => {
    expect(review.score).toBeNull();
    expect(review.scoreText).toBeNull();
    expect(review.rating).toBeNull();
    expect(warnings).toEqual(['line 15: the letter grade "B+" has no number; imported without a score']);
    expect(review.body).not.toContain('Grade');
  });

  it('strips the "Review:" prefix and reads ONA, script and "Based on the manga by"', () => {
    expect(work.title).toBe('Devilman Crybaby');
    expect(work.kind).toBe('ona');
    expect(work.credits).toEqual([
      { role: 'director', name: 'Masaaki Yuasa' },
      { role: 'writer', name: 'Ichirō Ōkouchi' },
      { role: 'original_creator', name: 'Go Nagai' },
    ]);
    expect(work.studios).toEqual(['Science SARU']);
  });
});

describe('CRLF line endings, a byte-order mark and no-break spaces', () => {
  const raw = fixture('crlf-bom.txt');
  const { work, review } = parsePlainText(raw);

  it('is really a CRLF file with a BOM and NBSPs', () => {
    expect(raw.startsWith('\uFEFF')).toBe(true);
    expect(raw).toContain('\r\n');
    expect(raw).toContain('\u00A0');
  });

  it('parses as if it were clean', () => {
    expect(work.title).toBe('Mushi-Shi');
    expect(work.credits).toContainEqual({ role: 'director', name: 'Hiroshi Nagahama' });
    expect(work.year).toBe(2005);
    expect(review.score).toEqual({ value: 4, max: 5 });
    expect(review.body).not.toMatch(/[\r\uFEFF\u00A0]/u);
    expect(paragraphs(review.body)).toHaveLength(2);
    expect(review.body).toContain('There is no villain and no overarching plot');
  });
});

describe('a Japanese-only title', () => {
  const { work, review } = parseFixture('japanese-title.txt');

  it('keeps the title exactly and reads the alternative titles', () => {
    expect(work.title).toBe('進撃の巨人');
    expect(work.altTitles).toEqual([
      { title: 'Attack on Titan', type: 'english' },
      { title: 'Shingeki no Kyojin', type: 'romaji' },
    ]);
  });

  it('reads "Series composition", "Based on the manga by", "A / B" platforms and a 100-point score', () => {
    expect(work.credits).toEqual([
      { role: 'director', name: 'Tetsurō Araki' },
      { role: 'writer', name: 'Yasuko Kobayashi' },
      { role: 'music', name: 'Hiroyuki Sawano' },
      { role: 'original_creator', name: 'Hajime Isayama' },
    ]);
    expect(work.platforms).toEqual(['Crunchyroll', 'Netflix']);
    expect(work.kind).toBe('anime_series');
    expect(review.score).toEqual({ value: 86, max: 100 });
    expect(review.rating).toBe(86);
  });
});

describe('a live-action film', () => {
  const { work, review, warnings } = parseFixture('film.txt');

  it('keeps a title with a colon whole', () => {
    expect(work.title).toBe('Mad Max: Fury Road');
  });

  it('reads the film, its writers, the date and a "4.5/5 stars" rating', () => {
    expect(work.kind).toBe('film');
    expect(work.year).toBe(2015);
    expect(work.credits.filter((c) => c.role === 'writer').map((c) => c.name)).toEqual([
      'George Miller',
      'Brendan McCarthy',
      'Nico Lathouris',
    ]);
    expect(review.publishedAt).toBe('2015-05-20');
    expect(review.score).toEqual({ value: 4.5, max: 5 });
    expect(review.scoreText).toBe('4.5/5 stars');
    expect(review.rating).toBe(90);
    expect(warnings).toEqual([]);
  });
});

describe('input that is not a review', () => {
  it('rejects an empty file, naming it', () => {
    expect(() => parseFixture('empty.txt')).toThrow(PlainTextParseError);
    expect(() => parseFixture('empty.txt')).toThrow('empty.txt: the file is empty');
  });

  it('rejects whitespace only', () => {
    expect(() => parsePlainText(' \n\r\n\t \u00A0\n')).toThrow('the file is empty');
  });

  it('rejects binary bytes', () => {
    expect(() => parseFixture('binary.bin')).toThrow('binary.bin: this looks like a binary file');
    expect(() => parsePlainText('\u0001\u0002\u0003\u0004abc\u0005\u0006')).toThrow(PlainTextParseError);
  });

  it('rejects malformed front matter, naming the line', () => {
    const error = (() => {
      try {
        parseFixture('malformed-front-matter.md');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PlainTextParseError);
    expect((error as PlainTextParseError).line).toBe(4);
    expect((error as PlainTextParseError).message).toMatch(/^malformed-front-matter\.md, line 4: malformed front matter: /u);
    expect((error as PlainTextParseError).code).toBe('invalid_input');
  });

  it('rejects front matter that is never closed', () => {
    expect(() => parsePlainText('---\ntitle: X\n\nSome text.')).toThrow("line 1: front matter opened with '---' is never closed");
  });

  it('rejects a text with no recognisable title', () => {
    const text =
      'Ok so this show was something I watched last week and I have a lot of feelings about it, mostly mixed ones.\n\nDirector: Someone\n';
    expect(() => parsePlainText(text)).toThrow(/line 1: no recognisable title/u);
    expect(() => parsePlainText('Director: Someone\nStudio: Somewhere\n\nA paragraph.')).toThrow('no recognisable title');
  });
});

describe('other ways people write it', () => {
  it('prefers the score line when the last paragraph disagrees, and says so', () => {
    const { review, warnings } = parsePlainText('Some Show\n\nI would give it a 7 out of 10, honestly.\n\nFinal Score: 4/5\n');
    expect(review.score).toEqual({ value: 4, max: 5 });
    expect(warnings).toContain('the score line says "4/5" but the last paragraph says "7 out of 10"; kept the score line');
  });

  it('agrees silently when the line and the prose give the same score on different scales', () => {
    const { warnings } = parsePlainText('Some Show\n\nType: TV\n\nI gave it a 5/10.\n\nScore: 2.5 out of 5\n');
    expect(warnings).toEqual([]);
  });

  it('imports without a score when there is none, or when it has no scale', () => {
    expect(parsePlainText('Some Show\n\nType: Film\n\nNothing to rate here.').warnings).toEqual(['no score found']);
    const bare = parsePlainText('Some Show\n\nType: Film\n\nGood.\n\nScore: 9');
    expect(bare.review.score).toBeNull();
    expect(bare.warnings).toEqual([expect.stringContaining('"Score: 9" is not a score that can be read')]);
  });

  it('does not pick a score when the last paragraph gives several', () => {
    const { review, warnings } = parsePlainText('Some Show\n\nType: TV\n\nSeason one was 6/10 and season two 8/10.');
    expect(review.score).toBeNull();
    expect(warnings).toContain('the last paragraph gives several different scores; imported without a score');
  });

  it('leaves a category breakdown in the body, and reads the overall score from it', () => {
    const text = 'Some Show\n\nType: TV\n\nStory: 8/10\nMusic: 10/10\nOverall: 9/10';
    const { review, work } = parsePlainText(text);
    expect(review.body).toBe('Story: 8/10\nMusic: 10/10\nOverall: 9/10');
    expect(work.credits).toEqual([]);
    expect(review.score).toEqual({ value: 9, max: 10 });
  });

  it('reads "Directed by X" without a separator, bold labels, Markdown links and duplicate names', () => {
    const text = [
      '# Some Film',
      '',
      'Directed by Céline Sciamma',
      '**Studio:** Lilies Films, lilies films',
      'Where to watch: [MUBI](https://mubi.com/films/x) & Criterion Channel',
      'Released: 2019',
      'Format: Movie',
      '',
      'A quiet film.',
      '',
      'Rating: 4/5',
    ].join('\n');
    const { work } = parsePlainText(text);
    expect(work.title).toBe('Some Film');
    expect(work.credits).toEqual([{ role: 'director', name: 'Céline Sciamma' }]);
    expect(work.studios).toEqual(['Lilies Films']);
    expect(work.platforms).toEqual(['MUBI', 'Criterion Channel']);
    expect(work.kind).toBe('film');
  });

  it('uses the first line as headline when a Title label names the work differently', () => {
    const text = 'Why this show lost me\n\nTitle: Hero ≠ Mask\nYear: 2018\nType: ONA\n\nIt copied too much.\n\nScore: 5/10';
    const { work, review, warnings } = parsePlainText(text);
    expect(work.title).toBe('Hero ≠ Mask');
    expect(review.headline).toBe('Why this show lost me');
    expect(review.body).toBe('It copied too much.');
    expect(warnings).toContain('line 1: the first line is not the title "Hero ≠ Mask"; used it as the headline');
  });

  it('takes the title from a Markdown heading after front matter without one', () => {
    const text = '---\nyear: 2020\ntype: film\nscore: "8/10"\n---\n\n# “Some Film” (2019) – Review\n\nText.';
    const { work, review, warnings } = parsePlainText(text);
    expect(work.title).toBe('Some Film');
    expect(work.year).toBe(2020);
    expect(warnings).toContain('line 7: the title says 2019 but the year given is 2020; kept 2020');
    expect(review.score).toEqual({ value: 8, max: 10 });
    expect(review.body).toBe('Text.');
  });

  it('reads other spellings of front-matter keys', () => {
    const text = [
      '---',
      'title: Some Film',
      'altTitles: [Another Name]',
      'type: Movie',
      'rating: "8"',
      'out_of: 10',
      'watch: Netflix/Hulu',
      'published: false',
      '---',
      '# Why Some Film works',
      '',
      'Text.',
    ].join('\n');
    const { work, review, warnings } = parsePlainText(text);
    expect(work).toMatchObject({ title: 'Some Film', altTitles: [{ title: 'Another Name', type: 'other' }], kind: 'film', platforms: ['Netflix', 'Hulu'] });
    expect(review).toMatchObject({ score: { value: 8, max: 10 }, status: 'draft', headline: 'Why Some Film works', body: 'Text.' });
    expect(warnings).toEqual(['line 10: the first line is not the title "Some Film"; used it as the headline']);
  });

  it('says nothing about the kind when nothing says it, and keeps kind null', () => {
    const { work, warnings } = parsePlainText('Some Show\n\nText.\n\nScore: 3/5');
    expect(work.kind).toBeNull();
    expect(warnings).toEqual(['nothing says what kind of work this is (anime, series, film…); imported without a kind']);
  });

  it('guesses an anime film from the text when the labels only say anime', () => {
    const text = 'Some Film\n\nThe film is short and the movie ends well. This film is great.\n\nAnime Year of Release: 2016\nScore: 3/5';
    expect(parsePlainText(text).work.kind).toBe('anime_film');
  });

  it('does not treat a spoiler-free promise as a spoiler warning', () => {
    const { review } = parsePlainText('Some Show\n\nThis review is spoiler-free, so read on. The ending is great.\n\nScore: 3/5');
    expect(review.hasSpoilers).toBe(false);
    expect(review.body).not.toContain('||');
  });

  it('drops an age rating given as Rating, with a warning', () => {
    const { review, warnings } = parsePlainText('Some Show\n\nRating: PG-13\nType: Film\n\nText.\n\nFinal score: 7/10');
    expect(review.score).toEqual({ value: 7, max: 10 });
    expect(warnings).toContain('line 3: "Rating: PG-13" is not a score that can be read (a number needs its scale, like 7/10); ignored');
    expect(review.body).toBe('Text.');
  });

  it('reads a multi-line synopsis and external ids given as URLs', () => {
    const text = [
      'Some Show',
      '',
      'Synopsis: A boy finds a box.',
      'Inside the box is another box.',
      'MyAnimeList: https://myanimelist.net/anime/37521/Some_Show',
      'IMDb: https://www.imdb.com/title/tt1234567/',
      'Type: TV',
      '',
      'Text.',
    ].join('\n');
    const { work } = parsePlainText(text);
    expect(work.synopsis).toBe('A boy finds a box. Inside the box is another box.');
    expect(work.externalIds).toEqual({ mal: '37521', imdb: 'tt1234567' });
  });
});

describe('the original example (../shared/examples/hero-mask-review.txt, when present)', () => {
  const path = fileURLToPath(new URL('../../../../shared/examples/hero-mask-review.txt', import.meta.url));

  it.skipIf(!existsSync(path))('reads everything in it', () => {
    const { work, review } = parsePlainText(readFileSync(path, 'utf8'), { filename: 'hero-mask-review.txt' });
    expect(work.title).toBe('Hero ≠ Mask');
    expect(work.kind).toBe('anime_series');
    expect(work.year).toBe(2018);
    expect(work.credits).toEqual([
      { role: 'director', name: 'Hiroyasu Aoki' },
      { role: 'writer', name: 'Hiroyasu Aoki' },
      { role: 'music', name: 'Hisaki Kato' },
    ]);
    expect(work.studios).toEqual(['Pierrot']);
    expect(work.platforms).toEqual(['Netflix']);
    expect(review.score).toEqual({ value: 2.5, max: 5 });
    expect(review.scoreText).toBe('2.5 out of 5');
    expect(review.rating).toBe(50);
    expect(review.hasSpoilers).toBe(true);

    const body = paragraphs(review.body);
    expect(body).toHaveLength(4);
    expect(body[0]).toMatch(/^Ok so technology is cool, .* and basic medical ethics\.$/su);
    expect(body[1]).toMatch(/^So… while this series may seem pretty epic, .* untraceable poisonous injection\.\|\|$/su);
    expect(body[1]).toContain('(Be warned I\'m going to give me spoilers in the next few moments) ||Super talented main character');
    expect(body[2]).toMatch(/^In addition to the cliches, .* should be put to rest\.$/su);
    expect(body[3]).toMatch(/^I gave Hero ≠ Mask a 2\.5 out of 5 because .* give it a watch\.$/su);
    expect(body[3]).toContain('more distracting than Enjoyable. Additionally');
    expect(review.body).not.toMatch(/Director:|Final Score|Watch It On|Anime Year of Release/u);
  });
});

// How fast parsing runs is measured in `npm run bench` (text import); these only check that
// inputs built to trip backtracking regexes still parse to something sensible.
describe('inputs built to trip regexes', () => {
  it.each([
    ['stray spoiler delimiters', '|| a >! b ~! c [spoiler] '.repeat(4000)],
    ['paragraphs that never end a sentence', 'word word word word word word word word word word\n\n'.repeat(2000)],
    ['long runs of spaces', `Rating: A${' '.repeat(50_000)}B\n\nI give it 1${' '.repeat(50_000)}x`],
    ['star halves', '½'.repeat(50_000)],
    ['spoiler warnings', 'Spoilers ahead.\n\nX\n\n'.repeat(3000)],
  ])('parses %s', (_name, body) => {
    const { work, review } = parsePlainText(`A Title\n\n${body}`);
    expect(work.title).toBe('A Title');
    expect(review.score).toBeNull();
    expect(review.body.length).toBeGreaterThan(0);
  });
});
