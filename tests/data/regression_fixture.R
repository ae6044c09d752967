# Makes the regression fixtures: a small aggregated data set (covariate
# patterns: education 0/1/2 as two dummies, sex, with events, person-years
# and persons) and R's glm() results for a Poisson rate model with offset
# log(person-years) and a binomial model with counts. Base R only.
# Usage: Rscript regression_fixture.R   (writes regression_*.csv here)
set.seed(2024)
d <- expand.grid(educ = 0:2, female = 0:1, agegrp = 0:3)
d$educ_mid <- as.numeric(d$educ == 1)
d$educ_high <- as.numeric(d$educ == 2)
d$persons <- round(runif(nrow(d), 200, 3000))
d$person_years <- round(d$persons * runif(nrow(d), 2, 5), 1)
rate <- exp(-5 + 0.4 * d$agegrp - 0.3 * d$educ_mid - 0.6 * d$educ_high + 0.2 * d$female)
d$events <- rpois(nrow(d), rate * d$person_years)
p <- plogis(-2 + 0.3 * d$agegrp - 0.25 * d$educ_mid - 0.5 * d$educ_high - 0.1 * d$female)
d$cases <- rbinom(nrow(d), d$persons, p)
d$educ <- NULL
write.csv(d, "regression_data.csv", row.names = FALSE)
coefs <- function(model, fit) {
  s <- summary(fit)$coefficients
  ci <- exp(cbind(coef(fit) - qnorm(0.975) * s[, 2], coef(fit) + qnorm(0.975) * s[, 2]))
  data.frame(model = model, term = rownames(s), estimate = s[, 1], std_error = s[, 2],
             ratio = exp(s[, 1]), ratio_lower = ci[, 1], ratio_upper = ci[, 2],
             deviance = deviance(fit), df_residual = df.residual(fit))
}
f1 <- glm(events ~ educ_mid + educ_high + female + agegrp, offset = log(person_years),
          family = poisson, data = d, control = glm.control(epsilon = 1e-12))
f2 <- glm(cbind(cases, persons - cases) ~ educ_mid + educ_high + female + agegrp,
          family = binomial, data = d, control = glm.control(epsilon = 1e-12))
write.csv(rbind(coefs("poisson", f1), coefs("binomial", f2)), "regression_glm_results.csv",
          row.names = FALSE)
