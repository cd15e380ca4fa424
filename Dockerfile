# One image for every service of the monorepo; docker-compose.yml picks the command.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN npm install --global pnpm@10.34.9
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY patches ./patches
COPY packages ./packages
RUN pnpm install --frozen-lockfile && pnpm turbo run build && pnpm prune --prod

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
# e.g. node packages/query-api/dist/main.js
CMD ["node", "packages/query-api/dist/main.js"]
