/*
 * expected.h: reference values for tests/test_stats.c, written by
 * tests/reference/reference.py (exact rational / 200-digit arithmetic, no
 * GSL). Do not edit by hand; regenerate with
 *   python3 tests/reference/reference.py > tests/reference/expected.h
 * Numbers have 17 significant digits. Arrays are initializer lists.
 */
#ifndef WS_TEST_EXPECTED_H
#define WS_TEST_EXPECTED_H

/* ---- NIST StRD Norris (linear, lower difficulty) ------------------------- */
/* Norris x, 36 points, NIST StRD Norris.dat */
#define REF_NORRIS_X { 0.2, 337.4, 118.2, 884.6, 10.1, 226.5, 666.3, 996.3, 448.6, 777.0, 558.2, 0.4, 0.6, 775.5, 666.9, 338.0, 447.5, 11.6, 556.0, 228.1, 995.8, 887.6, 120.2, 0.3, 0.3, 556.8, 339.1, 887.2, 999.0, 779.0, 11.1, 118.3, 229.2, 669.1, 448.9, 0.5 }
/* Norris y */
#define REF_NORRIS_Y { 0.1, 338.8, 118.1, 888.0, 9.2, 228.1, 668.5, 998.5, 449.1, 778.9, 559.2, 0.3, 0.1, 778.1, 668.8, 339.3, 448.9, 10.8, 557.7, 228.3, 998.0, 888.8, 119.6, 0.3, 0.6, 557.6, 339.3, 888.0, 998.5, 778.9, 10.2, 117.6, 228.9, 668.4, 449.2, 0.2 }
#define REF_NORRIS_CERT_B0                 -2.6232307377402900e-1 /* NIST certified value, as printed */
#define REF_NORRIS_CERT_B1                 1.0021168180204500e0 /* NIST certified value, as printed */
#define REF_NORRIS_CERT_SD_B0              2.3281823430115200e-1 /* NIST certified value, as printed */
#define REF_NORRIS_CERT_SD_B1              4.2979684819993700e-4 /* NIST certified value, as printed */
#define REF_NORRIS_CERT_RESID_SD           8.8479639614437300e-1 /* NIST certified value, as printed */
#define REF_NORRIS_CERT_R2                 9.9999374588371200e-1 /* NIST certified value, as printed */
#define REF_NORRIS_CERT_SSE                2.6617398529422400e1 /* NIST certified value, as printed */
#define REF_NORRIS_B0                      -2.6232307377402950e-1 /* exact fit of the data above, this script */
#define REF_NORRIS_B1                      1.0021168180204544e0 /* exact fit of the data above, this script */
#define REF_NORRIS_SD_B0                   2.3281823430115250e-1 /* exact fit of the data above, this script */
#define REF_NORRIS_SD_B1                   4.2979684819993690e-4 /* exact fit of the data above, this script */
#define REF_NORRIS_RESID_SD                8.8479639614437253e-1 /* exact fit of the data above, this script */
#define REF_NORRIS_R2                      9.9999374588371173e-1 /* exact fit of the data above, this script */
#define REF_NORRIS_SSE                     2.6617398529422360e1 /* exact fit of the data above, this script */
#define REF_NORRIS_COV01                   -7.7432753631564362e-5 /* exact -mx*s^2/Sxx */
#define REF_NORRIS_P                       4.6540408524724094e-90 /* two-sided t p of the slope, 34 df, this script */

/* ---- small OLS series (x = fiscal years) --------------------------------- */
/* T5: years (five years, rising) */
#define REF_T5_X { 2018.0, 2019.0, 2020.0, 2021.0, 2022.0 }
/* T5: actuals */
#define REF_T5_Y { 10, 12, 11, 15, 16 }
#define REF_T5_N                           5 /* points */
#define REF_T5_SLOPE                       1.5000000000000000e0 /* Sxy/Sxx, exact */
#define REF_T5_INTERCEPT                   -3.0172000000000000e3 /* my - slope*mx, exact */
#define REF_T5_R2                          8.3955223880597015e-1 /* 1 - SSE/Syy, exact */
#define REF_T5_SE                          3.7859388972001824e-1 /* sqrt(s^2/Sxx) */
#define REF_T5_SSE                         4.3000000000000000e0 /* residual sum of squares, exact */
#define REF_T5_P                           2.8715608406808915e-2 /* two-sided t p, df n-2 (A&S 26.7.3/4) */
#define REF_T5_FORECAST                    1.7300000000000000e1 /* c0 + c1*(last_year + 1), exact */
#define REF_T5_LO                          1.1778662018776432e1 /* 95% prediction interval, lower */
#define REF_T5_HI                          2.2821337981223568e1 /* 95% prediction interval, upper */
#define REF_T5_SEN                         1.5000000000000000e0 /* median of pairwise slopes, exact */
/* GAPS: years (missing years inside the series) */
#define REF_GAPS_X { 2016.0, 2018.0, 2019.0, 2022.0 }
/* GAPS: actuals */
#define REF_GAPS_Y { 3, 4, 6, 7 }
#define REF_GAPS_N                         4 /* points */
#define REF_GAPS_SLOPE                     6.9333333333333333e-1 /* Sxy/Sxx, exact */
#define REF_GAPS_INTERCEPT                 -1.3946666666666667e3 /* my - slope*mx, exact */
#define REF_GAPS_R2                        9.0133333333333333e-1 /* 1 - SSE/Syy, exact */
#define REF_GAPS_SE                        1.6220700080795253e-1 /* sqrt(s^2/Sxx) */
#define REF_GAPS_SSE                       9.8666666666666667e-1 /* residual sum of squares, exact */
#define REF_GAPS_P                         5.0614233657712070e-2 /* two-sided t p, df n-2 (A&S 26.7.3/4) */
#define REF_GAPS_FORECAST                  7.9466666666666667e0 /* c0 + c1*(last_year + 1), exact */
#define REF_GAPS_LO                        3.4506290315979370e0 /* 95% prediction interval, lower */
#define REF_GAPS_HI                        1.2442704301735396e1 /* 95% prediction interval, upper */
#define REF_GAPS_SEN                       7.0833333333333333e-1 /* median of pairwise slopes, exact */
/* N3: years (n = 3, one degree of freedom) */
#define REF_N3_X { 2020.0, 2021.0, 2022.0 }
/* N3: actuals */
#define REF_N3_Y { 5, 7, 6 }
#define REF_N3_N                           3 /* points */
#define REF_N3_SLOPE                       5.0000000000000000e-1 /* Sxy/Sxx, exact */
#define REF_N3_INTERCEPT                   -1.0045000000000000e3 /* my - slope*mx, exact */
#define REF_N3_R2                          2.5000000000000000e-1 /* 1 - SSE/Syy, exact */
#define REF_N3_SE                          8.6602540378443865e-1 /* sqrt(s^2/Sxx) */
#define REF_N3_SSE                         1.5000000000000000e0 /* residual sum of squares, exact */
#define REF_N3_P                           6.6666666666666667e-1 /* two-sided t p, df n-2 (A&S 26.7.3/4) */
#define REF_N3_FORECAST                    7.0000000000000000e0 /* c0 + c1*(last_year + 1), exact */
#define REF_N3_LO                          -2.1411937526116421e1 /* 95% prediction interval, lower */
#define REF_N3_HI                          3.5411937526116421e1 /* 95% prediction interval, upper */
#define REF_N3_SEN                         5.0000000000000000e-1 /* median of pairwise slopes, exact */
/* N2: years (n = 2: line, no r2/se) */
#define REF_N2_X { 2021.0, 2022.0 }
/* N2: actuals */
#define REF_N2_Y { 4, 7 }
#define REF_N2_N                           2 /* points */
#define REF_N2_SLOPE                       3.0000000000000000e0 /* Sxy/Sxx, exact */
#define REF_N2_INTERCEPT                   -6.0590000000000000e3 /* my - slope*mx, exact */
#define REF_N2_FORECAST                    1.0000000000000000e1 /* c0 + c1*(last_year + 1), exact */
#define REF_N2_SEN                         3.0000000000000000e0 /* median of pairwise slopes, exact */
/* DOWN: years (six years, falling, decimal data) */
#define REF_DOWN_X { 2017.0, 2018.0, 2019.0, 2020.0, 2021.0, 2022.0 }
/* DOWN: actuals */
#define REF_DOWN_Y { 9.5, 9.1, 8.8, 8.9, 8.2, 7.6 }
#define REF_DOWN_N                         6 /* points */
#define REF_DOWN_SLOPE                     -3.4571428571428571e-1 /* Sxy/Sxx, exact */
#define REF_DOWN_INTERCEPT                 7.0685333333333333e2 /* my - slope*mx, exact */
#define REF_DOWN_R2                        9.0609592573491490e-1 /* 1 - SSE/Syy, exact */
#define REF_DOWN_SE                        5.5647090125682064e-2 /* sqrt(s^2/Sxx) */
#define REF_DOWN_SSE                       2.1676190476190476e-1 /* residual sum of squares, exact */
#define REF_DOWN_P                         3.4160809652526543e-3 /* two-sided t p, df n-2 (A&S 26.7.3/4) */
#define REF_DOWN_FORECAST                  7.4733333333333333e0 /* c0 + c1*(last_year + 1), exact */
#define REF_DOWN_LO                        6.5902860454873230e0 /* 95% prediction interval, lower */
#define REF_DOWN_HI                        8.3563806211793436e0 /* 95% prediction interval, upper */
#define REF_DOWN_SEN                       -3.5000000000000000e-1 /* median of pairwise slopes, exact */
#define REF_T975_DF1                       1.2706204736174705e1 /* t(0.975, 1) by bisection */
#define REF_T975_DF2                       4.3026527297494639e0 /* t(0.975, 2) by bisection */
#define REF_T975_DF3                       3.1824463052837096e0 /* t(0.975, 3) by bisection */
#define REF_T975_DF4                       2.7764451051977944e0 /* t(0.975, 4) by bisection */

/* ---- Theil-Sen ----------------------------------------------------------- */
/* SEN_ODD: x (3 pairs: median is the middle slope) */
#define REF_SEN_ODD_X { 1, 2, 3 }
/* SEN_ODD: y */
#define REF_SEN_ODD_Y { 1, 4, 2 }
#define REF_SEN_ODD_N                      3 /* points */
#define REF_SEN_ODD                        5.0000000000000000e-1 /* exact median of pairwise slopes */
/* SEN_EVEN: x (6 pairs: mean of the middle two) */
#define REF_SEN_EVEN_X { 1, 2, 3, 4 }
/* SEN_EVEN: y */
#define REF_SEN_EVEN_Y { 1, 3, 2, 10 }
#define REF_SEN_EVEN_N                     4 /* points */
#define REF_SEN_EVEN                       2.5000000000000000e0 /* exact median of pairwise slopes */
/* SEN_XTIE: x (equal x: that pair is skipped, 5 pairs) */
#define REF_SEN_XTIE_X { 1, 1, 2, 3 }
/* SEN_XTIE: y */
#define REF_SEN_XTIE_Y { 5, 7, 6, 9 }
#define REF_SEN_XTIE_N                     4 /* points */
#define REF_SEN_XTIE                       1.0000000000000000e0 /* exact median of pairwise slopes */
/* SEN_OUTLIER: x (one outlier barely moves it) */
#define REF_SEN_OUTLIER_X { 2018, 2019, 2020, 2021, 2022 }
/* SEN_OUTLIER: y */
#define REF_SEN_OUTLIER_Y { 10, 11, 12, 13, 100 }
#define REF_SEN_OUTLIER_N                  5 /* points */
#define REF_SEN_OUTLIER                    1.0000000000000000e0 /* exact median of pairwise slopes */

/* ---- Mann-Kendall, exact p by brute force -------------------------------- */
/* MK4: n = 4, tie sizes [1, 1, 1, 1] */
#define REF_MK4_Y { 1.0, 3.0, 2.0, 4.0 }
#define REF_MK4_N                          4 /* points */
#define REF_MK4_S                          4.0000000000000000e0 /* S = sum sign(y_j - y_i) */
#define REF_MK4_P                          3.3333333333333333e-1 /* P(|S'| >= |S|) = 1/3 over 4! orderings */
/* MK4T: n = 4, tie sizes [2, 1, 1] */
#define REF_MK4T_Y { 1.0, 2.0, 2.0, 3.0 }
#define REF_MK4T_N                         4 /* points */
#define REF_MK4T_S                         5.0000000000000000e0 /* S = sum sign(y_j - y_i) */
#define REF_MK4T_P                         1.6666666666666667e-1 /* P(|S'| >= |S|) = 1/6 over 4! orderings */
/* MK5: n = 5, tie sizes [1, 1, 1, 1, 1] */
#define REF_MK5_Y { 3.0, 1.0, 4.0, 5.0, 9.0 }
#define REF_MK5_N                          5 /* points */
#define REF_MK5_S                          8.0000000000000000e0 /* S = sum sign(y_j - y_i) */
#define REF_MK5_P                          8.3333333333333333e-2 /* P(|S'| >= |S|) = 1/12 over 5! orderings */
/* MK5T: n = 5, tie sizes [2, 2, 1] */
#define REF_MK5T_Y { 2.0, 2.0, 3.0, 1.0, 3.0 }
#define REF_MK5T_N                         5 /* points */
#define REF_MK5T_S                         2.0000000000000000e0 /* S = sum sign(y_j - y_i) */
#define REF_MK5T_P                         8.0000000000000000e-1 /* P(|S'| >= |S|) = 4/5 over 5! orderings */
/* MK6: n = 6, tie sizes [1, 1, 1, 1, 1, 1] */
#define REF_MK6_Y { 1.0, 2.0, 4.0, 3.0, 6.0, 5.0 }
#define REF_MK6_N                          6 /* points */
#define REF_MK6_S                          1.1000000000000000e1 /* S = sum sign(y_j - y_i) */
#define REF_MK6_P                          5.5555555555555556e-2 /* P(|S'| >= |S|) = 1/18 over 6! orderings */
/* MK6T: n = 6, tie sizes [2, 2, 1, 1] */
#define REF_MK6T_Y { 5.0, 5.0, 6.0, 7.0, 7.0, 8.0 }
#define REF_MK6T_N                         6 /* points */
#define REF_MK6T_S                         1.3000000000000000e1 /* S = sum sign(y_j - y_i) */
#define REF_MK6T_P                         1.1111111111111111e-2 /* P(|S'| >= |S|) = 1/90 over 6! orderings */
/* MK7: n = 7, tie sizes [1, 1, 1, 1, 1, 1, 1] */
#define REF_MK7_Y { 7.0, 6.0, 5.0, 3.0, 4.0, 2.0, 1.0 }
#define REF_MK7_N                          7 /* points */
#define REF_MK7_S                          -1.9000000000000000e1 /* S = sum sign(y_j - y_i) */
#define REF_MK7_P                          2.7777777777777778e-3 /* P(|S'| >= |S|) = 1/360 over 7! orderings */
/* MK7T: n = 7, tie sizes [3, 2, 1, 1] */
#define REF_MK7T_Y { 1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 4.0 }
#define REF_MK7T_N                         7 /* points */
#define REF_MK7T_S                         1.7000000000000000e1 /* S = sum sign(y_j - y_i) */
#define REF_MK7T_P                         4.7619047619047619e-3 /* P(|S'| >= |S|) = 1/210 over 7! orderings */
/* MK7Z: n = 7, tie sizes [2, 2, 2, 1] */
#define REF_MK7Z_Y { 3.0, 1.0, 2.0, 2.0, 4.0, 1.0, 3.0 }
#define REF_MK7Z_N                         7 /* points */
#define REF_MK7Z_S                         2.0000000000000000e0 /* S = sum sign(y_j - y_i) */
#define REF_MK7Z_P                         8.8253968253968254e-1 /* P(|S'| >= |S|) = 278/315 over 7! orderings */
/* MK4ALL: n = 4, tie sizes [4] */
#define REF_MK4ALL_Y { 6.0, 6.0, 6.0, 6.0 }
#define REF_MK4ALL_N                       4 /* points */
#define REF_MK4ALL_S                       0.0 /* S = sum sign(y_j - y_i) */
#define REF_MK4ALL_P                       1.0000000000000000e0 /* P(|S'| >= |S|) = 1/1 over 4! orderings */
/* MK8T: n = 8, tie sizes [2, 2, 1, 1, 1, 1] */
#define REF_MK8T_Y { 4.0, 4.0, 5.0, 3.0, 6.0, 6.0, 8.0, 7.0 }
#define REF_MK8T_N                         8 /* points */
#define REF_MK8T_S                         1.8000000000000000e1 /* S = sum sign(y_j - y_i) */
#define REF_MK8T_P                         2.7976190476190476e-2 /* P(|S'| >= |S|) = 47/1680 over distinct arrangements */
/* MK9T: n = 9, tie sizes [3, 2, 2, 1, 1] */
#define REF_MK9T_Y { 2.0, 1.0, 2.0, 3.0, 3.0, 3.0, 5.0, 4.0, 5.0 }
#define REF_MK9T_N                         9 /* points */
#define REF_MK9T_S                         2.7000000000000000e1 /* S = sum sign(y_j - y_i) */
#define REF_MK9T_P                         2.2486772486772487e-3 /* P(|S'| >= |S|) = 17/7560 over distinct arrangements */
/* MK10T: n = 10, tie sizes [3, 2, 2, 1, 1, 1] */
#define REF_MK10T_Y { 4.0, 4.0, 5.0, 6.0, 6.0, 6.0, 7.0, 8.0, 9.0, 9.0 }
#define REF_MK10T_N                        10 /* points */
#define REF_MK10T_S                        4.0000000000000000e1 /* S = sum sign(y_j - y_i) */
#define REF_MK10T_P                        1.3227513227513228e-5 /* P(|S'| >= |S|) = 1/75600 over distinct arrangements */
/* MK10T2: n = 10, tie sizes [2, 2, 2, 2, 2] */
#define REF_MK10T2_Y { 3.0, 1.0, 2.0, 2.0, 5.0, 4.0, 4.0, 1.0, 5.0, 3.0 }
#define REF_MK10T2_N                       10 /* points */
#define REF_MK10T2_S                       1.0000000000000000e1 /* S = sum sign(y_j - y_i) */
#define REF_MK10T2_P                       4.2204585537918871e-1 /* P(|S'| >= |S|) = 2393/5670 over distinct arrangements */

/* ---- Mann-Kendall, normal approximation (n = 12, ties) ------------------- */
/* n = 12, tie sizes 3, 2, 2 */
#define REF_MK12_Y { 10.0, 12.0, 12.0, 13.0, 15.0, 15.0, 15.0, 14.0, 18.0, 19.0, 19.0, 21.0 }
#define REF_MK12_N                         12 /* points */
#define REF_MK12_S                         5.5000000000000000e1 /* S */
#define REF_MK12_VAR                       2.0700000000000000e2 /* [n(n-1)(2n+5) - sum t(t-1)(2t+5)]/18, exact */
#define REF_MK12_Z                         3.7532594530273457e0 /* (S - sign S)/sqrt(Var S) */
#define REF_MK12_P                         1.7455002670346048e-4 /* erfc(|Z|/sqrt 2), math.erfc */
/* n = 12 falling, tie sizes 3, 2, 2 */
#define REF_MK12D_Y { 21.0, 19.0, 19.0, 18.0, 14.0, 15.0, 15.0, 15.0, 13.0, 12.0, 12.0, 11.0 }
#define REF_MK12D_S                        -5.5000000000000000e1 /* S */
#define REF_MK12D_P                        1.7455002670346048e-4 /* erfc(|Z|/sqrt 2), math.erfc */

/* ---- pipeline (ws_stats_compute) values ---------------------------------- */
#define REF_T5_YTT                         2.6666666666666667e0 /* (target - actual)/slope, target 20 */
#define REF_T5_PROGRESS                    6.0000000000000000e-1 /* (16 - 10)/(20 - 10) */
#define REF_T5_ACH                         8.0000000000000000e-1 /* 16/20 */
#define REF_LOWER_TOWARDS_SLOPE            -1.5000000000000000e0 /* lower, actuals 14, 13, 11 */
#define REF_LOWER_TOWARDS_YTT              1.3333333333333333e0 /* (9 - 11)/slope */
#define REF_LOWER_TOWARDS_ACH              8.1818181818181818e-1 /* lower: target/actual = 9/11 */
#define REF_LOWER_MET_ACH                  1.1250000000000000e0 /* lower: 9/8 */

#endif /* WS_TEST_EXPECTED_H */
