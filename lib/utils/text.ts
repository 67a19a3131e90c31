/** "a bot token", "an access token": the article English wants before a noun phrase. */
export const withArticle = (phrase: string) => `${/^[aeiou]/i.test(phrase) ? "an" : "a"} ${phrase}`;
