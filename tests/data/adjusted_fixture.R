# Makes the adjusted-comparison fixtures: cross-classified counts (education with 3 levels and
# an unknown, region with 3, sex, 4 age groups; persons and events per pattern, some patterns
# empty) and, for three adjustment sets, R's glm() coefficients and standard errors and the
# predictive margins of education (the mean fitted probability with every pattern set to the
# level, weighted by persons) with their delta-method standard errors and differences from the
# reference. Base R only.
# Usage: Rscript adjusted_fixture.R   (writes adjusted_cells.csv and adjusted_results.csv here)
set.seed(35)
d <- expand.grid(educ = c("lang", "kort", "mellem", "uoplyst"), region = c("r1", "r2", "r3"),
                 sex = c("1", "2"), age = c("a1", "a2", "a3", "a4"), stringsAsFactors = FALSE)
d$persons <- rpois(nrow(d), 60)
d$persons[sample(nrow(d), 5)] <- 0
beta <- c(kort = -0.5, mellem = -0.2, uoplyst = -0.3)
eta <- 0.2 + ifelse(d$educ == "lang", 0, beta[d$educ]) + 0.3 * (d$region == "r2") -
  0.2 * (d$region == "r3") - 0.25 * (d$sex == "2") - 0.35 * (match(d$age, c("a1", "a2", "a3", "a4")) - 1)
d$events <- rbinom(nrow(d), d$persons, plogis(eta))
write.csv(d, "adjusted_cells.csv", row.names = FALSE)
d <- d[d$persons > 0, ]
d$educ <- factor(d$educ, levels = c("lang", "kort", "mellem", "uoplyst"))
d$region <- factor(d$region, levels = c("r1", "r2", "r3"))
d$sex <- factor(d$sex, levels = c("1", "2"))
d$age <- factor(d$age, levels = c("a1", "a2", "a3", "a4"))
sets <- list(none = ~ educ, age_sex = ~ educ + age + sex, mutual = ~ educ + region + age + sex)
out <- NULL
for (name in names(sets)) {
  f <- update(sets[[name]], cbind(events, persons - events) ~ .)
  fit <- glm(f, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
  s <- summary(fit)$coefficients
  out <- rbind(out, data.frame(set = name, kind = "coefficient", term = rownames(s),
                               estimate = s[, 1], std_error = s[, 2]))
  v <- vcov(fit)
  margin <- function(level) {
    nd <- d
    nd$educ <- factor(level, levels = levels(d$educ))
    x <- model.matrix(delete.response(terms(fit)), nd)
    p <- plogis(drop(x %*% coef(fit)))
    list(share = sum(d$persons * p) / sum(d$persons),
         grad = colSums(d$persons * p * (1 - p) * x) / sum(d$persons))
  }
  ref <- margin("lang")
  for (level in levels(d$educ)) {
    m <- margin(level)
    g <- m$grad - ref$grad
    out <- rbind(out,
                 data.frame(set = name, kind = "share", term = level, estimate = m$share,
                            std_error = sqrt(drop(t(m$grad) %*% v %*% m$grad))),
                 data.frame(set = name, kind = "difference", term = level,
                            estimate = m$share - ref$share, std_error = sqrt(drop(t(g) %*% v %*% g))))
  }
}
write.csv(out, "adjusted_results.csv", row.names = FALSE)
